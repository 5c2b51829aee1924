"""A model's tensors ↔ a checkpoint's tensors: which parts are saved, and loading them back.

A checkpoint of a model whose config names a ``backbone`` holds only the trained parts:
every tensor outside the language model, plus the added tokens' rows (``added_rows``,
n × h, shared by a tied output head), an untied output head and the LoRA adapters; never
the backbone's token table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from model.modeling.token_rows import ADDED_ROWS, sync_added_rows
from vividmed_viewer.core.errors import CheckpointError

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


def unique_state(
    model: torch.nn.Module,
    keep: Callable[[str], bool],
    storage_dtype: torch.dtype | None = None,
) -> dict[str, torch.Tensor]:
    """State dict without tied duplicates (safetensors refuses shared storage), on the CPU.

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


def load_state_into(
    model: torch.nn.Module, state: dict[str, torch.Tensor], source: Path, complete: bool
) -> None:
    """Copy tensors by name; any unknown name or shape difference raises ``CheckpointError``.

    ``complete``: every tensor of the model must be in ``state`` (a full checkpoint).
    """
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
        sync_added_rows(model.get_submodule("language_model"))
