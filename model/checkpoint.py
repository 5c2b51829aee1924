"""Checkpoints: config.json + model.safetensors (+ tokenizer files), never pickles.

A checkpoint of a model whose config names a ``backbone`` holds only the trained parts by
default: every tensor outside the language model, plus the added tokens' rows
(``added_rows``, n × h, shared by a tied output head), an untied output head and the LoRA
adapters; never the backbone's token table. Loading builds the model from config.json,
loads the backbone's own weights (new token rows start at the mean embedding), applies
LoRA when the config has it, then loads the checkpoint tensors, checking every name and
shape.

``storage_dtype`` (e.g. ``torch.bfloat16``) stores the floating parameters at half size
(buffers keep their dtype); they are converted back to the model's dtype on load
(recorded in the metadata as ``dtype``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import torch

from model.backbone import load_backbone_state, resolve_backbone
from model.config import VividMedConfig
from model.modeling import VividMedForCausalLM
from model.modeling.token_rows import ADDED_ROWS, head_is_tied, sync_added_rows
from vividmed_viewer.core.errors import CheckpointError

LOG = logging.getLogger(__name__)

WEIGHTS_NAME = "model.safetensors"
CONFIG_NAME = "config.json"
TRAINED_LANGUAGE_PARTS = (ADDED_ROWS, "lora_")
UNTIED_HEAD = "lm_head.weight"


def is_trained_part(name: str, tied_head: bool = True) -> bool:
    """Whether a parameter belongs in a parts-only checkpoint.

    The backbone's token table is never saved; its output head only when it is not tied.
    """
    if not name.startswith("language_model."):
        return True
    if not tied_head and name.endswith(UNTIED_HEAD):
        return True
    return any(part in name for part in TRAINED_LANGUAGE_PARTS)


def _unique_state(
    model: torch.nn.Module, keep: Any, storage_dtype: torch.dtype | None = None
) -> dict[str, torch.Tensor]:
    """State dict without tied duplicates (safetensors refuses shared storage).

    With ``storage_dtype``, parameters are stored in it; buffers (fixed random Fourier
    features and the like) keep their dtype.
    """
    parameters = {name for name, _ in model.named_parameters(remove_duplicate=False)}
    seen: set[int] = set()
    state: dict[str, torch.Tensor] = {}
    for name, tensor in model.state_dict().items():
        if not keep(name):
            continue
        pointer = tensor.data_ptr()
        if pointer in seen:
            continue
        seen.add(pointer)
        tensor = tensor.detach()
        if storage_dtype is not None and name in parameters and tensor.is_floating_point():
            tensor = tensor.to(storage_dtype)
        state[name] = tensor.contiguous().cpu()
    return state


def save_checkpoint(
    model: VividMedForCausalLM,
    directory: str | Path,
    tokenizer: Any = None,
    language_model: str = "auto",
    storage_dtype: torch.dtype | None = None,
) -> Path:
    """Write the checkpoint; ``language_model`` is ``"trained"``, ``"full"`` or ``"auto"``.

    ``auto`` saves only the trained parts when the config names a backbone, else everything.
    ``storage_dtype`` (``None``: as in the model) is the dtype of the stored parameters.
    """
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = model.vividmed_config
    mode = (
        language_model if language_model != "auto" else ("trained" if config.backbone else "full")
    )
    if mode == "trained" and not config.backbone:
        raise CheckpointError(
            f"{directory}: a parts-only checkpoint needs a config that names its backbone"
        )
    tied = head_is_tied(model.language_model)
    keep = (lambda name: is_trained_part(name, tied)) if mode == "trained" else (lambda _: True)
    state = _unique_state(model, keep, storage_dtype)
    config.save_pretrained(str(directory))
    metadata = {"format": "pt", "parts": mode}
    if storage_dtype is not None:
        metadata["dtype"] = str(storage_dtype).removeprefix("torch.")
    save_file(state, str(directory / WEIGHTS_NAME), metadata=metadata)
    if tokenizer is not None:
        tokenizer.save_pretrained(str(directory))
    LOG.info("saved %d tensors (%s) to %s", len(state), mode, directory)
    return directory


def _is_token_table(name: str) -> bool:
    """Whether a backbone tensor has one row per token (the rows the added tags extend)."""
    return name.endswith(("embed_tokens.weight", "lm_head.weight"))


def load_backbone_weights(model: VividMedForCausalLM) -> None:
    """Fill the language model from its backbone; rows for added tokens start at the mean."""
    config = model.vividmed_config
    assert config.backbone is not None
    directory = resolve_backbone(config.backbone)
    state = load_backbone_state(directory)
    own = model.language_model.state_dict()
    with torch.no_grad():
        for name, tensor in state.items():
            if name not in own:
                raise CheckpointError(
                    f"{directory}: backbone tensor '{name}' has no place in the model"
                )
            target = own[name]
            if tensor.shape == target.shape:
                target.copy_(tensor)
            elif (
                _is_token_table(name)
                and tensor.ndim == 2
                and tensor.shape[1] == target.shape[1]
                and (tensor.shape[0] < target.shape[0])
            ):
                rows = tensor.shape[0]
                target[:rows].copy_(tensor)
                target[rows:].copy_(tensor.mean(dim=0, keepdim=True).expand_as(target[rows:]))
            else:
                raise CheckpointError(
                    f"{directory}: backbone tensor '{name}' has shape {list(tensor.shape)} "
                    f"but the model expects {list(target.shape)}"
                )
    model.language_model.tie_weights()
    sync_added_rows(model.language_model)


def build_model(config: VividMedConfig, load_backbone: bool = True) -> VividMedForCausalLM:
    """A model from a config: random parts, the backbone's weights where it names one."""
    model = VividMedForCausalLM(config)
    if config.backbone and load_backbone:
        load_backbone_weights(model)
    if config.lora:
        from model.modeling.lora import apply_lora

        apply_lora(model, **config.lora)
    return model


def _check_directory(directory: Path) -> None:
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: checkpoint directory not found")
    for name in (CONFIG_NAME, WEIGHTS_NAME):
        if not (directory / name).is_file():
            raise CheckpointError(f"{directory}: not a VividMed checkpoint ({name} is missing)")


def read_config(directory: str | Path) -> VividMedConfig:
    """The checkpoint's config.json, with a clear error when it is not a VividMed config."""
    directory = Path(directory)
    path = directory / CONFIG_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: cannot read the config: {error}") from error
    if data.get("model_type") != VividMedConfig.model_type:
        raise CheckpointError(f"{path}: model_type is {data.get('model_type')!r}, not 'vividmed'")
    try:
        return VividMedConfig.from_dict(data)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: invalid VividMed config: {error}") from error


def load_state_into(
    model: VividMedForCausalLM, state: dict[str, torch.Tensor], source: Path, complete: bool
) -> None:
    """Copy tensors by name; any unknown name or shape difference raises ``CheckpointError``."""
    own = model.state_dict()
    for name, tensor in state.items():
        if name not in own:
            raise CheckpointError(f"{source}: tensor '{name}' is not a parameter of the model")
        if tuple(tensor.shape) != tuple(own[name].shape):
            raise CheckpointError(
                f"{source}: tensor '{name}' has shape {list(tensor.shape)} in the checkpoint "
                f"but {list(own[name].shape)} in the model built from its config.json"
            )
    # A checkpoint written before the tags had their own rows holds the whole token table.
    legacy_rows = not any(name.endswith(ADDED_ROWS) for name in state) and any(
        name.endswith("embed_tokens.weight") for name in state
    )
    if complete:
        present = {own[name].data_ptr() for name in state}
        missing = [
            n
            for n, t in own.items()
            if n not in state
            and t.data_ptr() not in present
            and not (legacy_rows and n.endswith(ADDED_ROWS))
        ]
        if missing:
            raise CheckpointError(
                f"{source}: {len(missing)} tensors are missing, e.g. {missing[:3]}"
            )
    with torch.no_grad():
        for name, tensor in state.items():
            own[name].copy_(tensor)
    if legacy_rows:
        sync_added_rows(model.language_model)


def load_model(
    directory: str | Path,
    device: str | torch.device | None = None,
    dtype: torch.dtype | None = None,
) -> VividMedForCausalLM:
    """Load a checkpoint directory into a model (eval mode) on ``device``."""
    from safetensors import SafetensorError, safe_open
    from safetensors.torch import load_file

    directory = Path(directory)
    _check_directory(directory)
    config = read_config(directory)
    weights = directory / WEIGHTS_NAME
    try:
        with safe_open(str(weights), framework="pt") as handle:
            parts = (handle.metadata() or {}).get("parts", "full")
        state = load_file(str(weights))
    except (OSError, ValueError, RuntimeError, SafetensorError) as error:
        raise CheckpointError(f"{weights}: cannot read safetensors: {error}") from error
    model = build_model(config, load_backbone=parts == "trained")
    load_state_into(model, state, weights, complete=parts != "trained")
    model.eval()
    if device is not None or dtype is not None:
        model.to(device=device, dtype=dtype)  # type: ignore[call-arg]
    return model


def load_checkpoint_tokenizer(directory: str | Path, config: VividMedConfig) -> tuple[Any, Any]:
    """The tokenizer saved with a checkpoint, else the one its config names."""
    from model.registry import tokenizer_for
    from model.text import load_tokenizer

    directory = Path(directory)
    if (directory / "tokenizer.json").is_file() or (directory / "tokenizer_config.json").is_file():
        return load_tokenizer(directory)
    return tokenizer_for(config)
