"""Checkpoints as functions: build, save and load a ``VividMedForCausalLM``; never pickles.

The work is done by :class:`~model.modeling.pretrained.VividMedPreTrainedModel`
(``build_from_config``, ``save_pretrained``, ``from_pretrained``: what a checkpoint holds,
how it is loaded and which transformers arguments are honoured); this module is the short
spelling training and the pipeline use, and re-exports the pieces they need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from model.checkpoint_files import CONFIG_NAME, INDEX_NAME, WEIGHTS_NAME, read_config
from model.config import VividMedConfig
from model.modeling import VividMedForCausalLM
from model.modeling.backbone_weights import load_backbone_weights
from model.modeling.checkpoint_state import is_trained_part, load_state_into

__all__ = [
    "CONFIG_NAME",
    "INDEX_NAME",
    "WEIGHTS_NAME",
    "build_model",
    "is_trained_part",
    "load_backbone_weights",
    "load_checkpoint_tokenizer",
    "load_model",
    "load_state_into",
    "read_config",
    "save_checkpoint",
]


def build_model(config: VividMedConfig, load_backbone: bool = True) -> VividMedForCausalLM:
    """A model from a config: random parts, the backbone's weights where it names one."""
    return VividMedForCausalLM.build_from_config(config, load_backbone)


def save_checkpoint(
    model: VividMedForCausalLM,
    directory: str | Path,
    tokenizer: Any = None,
    language_model: str = "auto",
    storage_dtype: torch.dtype | None = None,
    max_shard_size: int | str | None = None,
) -> Path:
    """Write the checkpoint; ``language_model`` is ``"trained"``, ``"full"`` or ``"auto"``.

    ``auto`` saves only the trained parts when the config names a backbone, else everything.
    ``storage_dtype`` (``None``: as in the model) is the dtype of the stored parameters;
    ``max_shard_size`` (``None``: one file) splits the weights into indexed shards.
    """
    model.save_pretrained(
        directory,
        tokenizer=tokenizer,
        language_model=language_model,
        storage_dtype=storage_dtype,
        max_shard_size=max_shard_size,
    )
    return Path(directory)


def load_model(
    directory: str | Path,
    device: str | torch.device | None = None,
    dtype: torch.dtype | None = None,
) -> VividMedForCausalLM:
    """Load a checkpoint directory into a model (eval mode) on ``device``, in ``dtype``."""
    return VividMedForCausalLM.from_pretrained(directory, device_map=device, dtype=dtype)


def load_checkpoint_tokenizer(directory: str | Path, config: VividMedConfig) -> tuple[Any, Any]:
    """The tokenizer saved with a checkpoint, else the one its config names."""
    from model.registry import tokenizer_for
    from model.text import load_tokenizer

    directory = Path(directory)
    if (directory / "tokenizer.json").is_file() or (directory / "tokenizer_config.json").is_file():
        return load_tokenizer(directory)
    return tokenizer_for(config)
