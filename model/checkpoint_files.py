"""The files of a checkpoint directory: config.json and safetensors weights, never pickles.

Weights are one ``model.safetensors`` or, with a shard size, shards
``model-00001-of-0000N.safetensors`` listed in ``model.safetensors.index.json`` (the
Hugging Face layout: ``{"metadata": {...}, "weight_map": {tensor: file}}``). Our own
metadata (``format``, ``parts``, ``dtype``) is in every file's header and in the index.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from model.config import VividMedConfig
from vividmed_viewer.core.errors import CheckpointError

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
INDEX_NAME = "model.safetensors.index.json"
SHARD_PATTERN = "model{suffix}.safetensors"
SHARD_GLOB = "model-*-of-*.safetensors"


def has_weights(directory: Path) -> bool:
    """Whether ``directory`` holds safetensors weights (one file or an index)."""
    return (directory / WEIGHTS_NAME).is_file() or (directory / INDEX_NAME).is_file()


def check_checkpoint_directory(directory: Path) -> None:
    """Raise ``CheckpointError`` unless ``directory`` holds a config and weights."""
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: checkpoint directory not found")
    if not (directory / CONFIG_NAME).is_file():
        raise CheckpointError(f"{directory}: not a VividMed checkpoint ({CONFIG_NAME} is missing)")
    if not has_weights(directory):
        raise CheckpointError(
            f"{directory}: not a VividMed checkpoint ({WEIGHTS_NAME} is missing, and there "
            f"is no {INDEX_NAME})"
        )


def read_config(directory: str | Path) -> VividMedConfig:
    """The checkpoint's config.json, with a clear error when it is not a VividMed config."""
    path = Path(directory) / CONFIG_NAME
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


def _remove_old_weights(directory: Path) -> None:
    """Delete weights an earlier save left (a stale index would shadow a new single file)."""
    for path in [directory / WEIGHTS_NAME, directory / INDEX_NAME, *directory.glob(SHARD_GLOB)]:
        path.unlink(missing_ok=True)


def write_weights(
    state: dict[str, torch.Tensor],
    directory: Path,
    metadata: dict[str, str],
    max_shard_size: int | None = None,
) -> list[Path]:
    """Write ``state`` as one file, or as shards of at most ``max_shard_size`` bytes
    (a tensor larger than that gets a shard of its own) plus the index; the written files."""
    from huggingface_hub import split_torch_state_dict_into_shards
    from safetensors.torch import save_file

    _remove_old_weights(directory)
    if max_shard_size is None:
        save_file(state, str(directory / WEIGHTS_NAME), metadata=metadata)
        return [directory / WEIGHTS_NAME]
    split = split_torch_state_dict_into_shards(
        state, filename_pattern=SHARD_PATTERN, max_shard_size=max_shard_size
    )
    written = []
    for filename, names in split.filename_to_tensors.items():
        save_file({n: state[n] for n in names}, str(directory / filename), metadata=metadata)
        written.append(directory / filename)
    if split.is_sharded:
        index = {
            "metadata": {**split.metadata, **metadata},
            "weight_map": dict(sorted(split.tensor_to_filename.items())),
        }
        (directory / INDEX_NAME).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
        written.append(directory / INDEX_NAME)
    return written


def _read_file(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    from safetensors import SafetensorError, safe_open
    from safetensors.torch import load_file

    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = dict(handle.metadata() or {})
        return load_file(str(path)), metadata
    except (OSError, ValueError, RuntimeError, SafetensorError) as error:
        raise CheckpointError(f"{path}: cannot read safetensors: {error}") from error


def _read_index(directory: Path) -> dict[str, Any]:
    path = directory / INDEX_NAME
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: cannot read the safetensors index: {error}") from error
    if not isinstance(index, dict) or not isinstance(index.get("weight_map"), dict):
        raise CheckpointError(f"{path}: a safetensors index needs a 'weight_map'")
    return index


def read_weights(directory: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """All tensors and the metadata of ``directory``'s weights (one file, or through the index:
    every tensor from the shard the index names for it)."""
    if (directory / WEIGHTS_NAME).is_file():
        return _read_file(directory / WEIGHTS_NAME)
    index = _read_index(directory)
    weight_map: dict[str, str] = index["weight_map"]
    state: dict[str, torch.Tensor] = {}
    metadata: dict[str, str] = {}
    for filename in sorted(set(weight_map.values())):
        tensors, metadata = _read_file(directory / filename)
        listed = {name for name, file in weight_map.items() if file == filename}
        if set(tensors) != listed:
            raise CheckpointError(
                f"{directory / filename}: holds {sorted(set(tensors) ^ listed)[:3]} "
                f"differently from {INDEX_NAME}"
            )
        state.update(tensors)
    stated = {k: str(v) for k, v in dict(index.get("metadata") or {}).items()}
    return state, {**metadata, **stated}
