"""The transformers arguments ``from_pretrained``/``save_pretrained`` honour, checked.

Honoured on load: ``dtype`` (or its old name ``torch_dtype``; a ``torch.dtype``, its name,
or ``"auto"`` for the dtype the weights were stored in), ``device_map`` (``"cpu"``, a
device string or index, ``"auto"`` for the best single device, or a dict that puts the
whole model on one device), ``config``, ``use_safetensors`` (never ``False``),
``weights_only`` (never ``False``) and ``local_files_only`` (always local). Honoured on
save: ``safe_serialization`` (never ``False``), ``max_shard_size``, ``is_main_process``,
``push_to_hub``/``variant``/``state_dict`` at their defaults, and ours: ``tokenizer``,
``language_model``, ``storage_dtype``. Anything else is refused by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from model.config import VividMedConfig
from vividmed_viewer.core.errors import CheckpointError, ModelError

LOAD_ARGUMENTS = (
    "config",
    "device_map",
    "dtype",
    "local_files_only",
    "torch_dtype",
    "use_safetensors",
    "weights_only",
)
SAVE_ARGUMENTS = (
    "is_main_process",
    "language_model",
    "max_shard_size",
    "push_to_hub",
    "safe_serialization",
    "state_dict",
    "storage_dtype",
    "tokenizer",
    "variant",
)
LANGUAGE_MODEL_PARTS = ("auto", "trained", "full")


def _refuse_unknown(method: str, given: Mapping[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise CheckpointError(
            f"{method}: unsupported argument(s) {', '.join(unknown)}; supported: {', '.join(known)}"
        )


def parse_dtype(value: Any, name: str = "dtype") -> torch.dtype | str | None:
    """A ``torch.dtype``, a name such as ``"bfloat16"``/``"torch.float16"``, ``"auto"`` or None."""
    if value is None or isinstance(value, torch.dtype) or value == "auto":
        return value
    if isinstance(value, str):
        found = getattr(torch, value.removeprefix("torch."), None)
        if isinstance(found, torch.dtype):
            return found
    raise CheckpointError(f"{name}={value!r} is not a torch dtype (e.g. 'bfloat16') or 'auto'")


def parse_device_map(value: Any) -> torch.device | None:
    """The one device a ``device_map`` puts the model on (None: where it is built, the CPU)."""
    from model.device import resolve_device

    if value is None:
        return None
    if isinstance(value, Mapping):
        devices = {str(device) for device in value.values()}
        if len(devices) != 1:
            raise CheckpointError(
                f"device_map={dict(value)!r} splits the model over devices {sorted(devices)}; "
                "VividMed runs on one device (give one device, or 'auto')"
            )
        value = next(iter(value.values()))
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"cuda:{value}"
    if isinstance(value, str) and value in ("balanced", "balanced_low_0", "sequential"):
        raise CheckpointError(
            f"device_map={value!r} spreads the model over devices; VividMed runs on one "
            "device (give one device, or 'auto')"
        )
    if not isinstance(value, str | torch.device):
        raise CheckpointError(f"device_map={value!r} is not a device, a device index or 'auto'")
    try:
        return resolve_device(value)
    except (ModelError, RuntimeError) as error:
        raise CheckpointError(f"device_map={value!r}: {error}") from error


@dataclass(frozen=True)
class LoadArguments:
    """What ``from_pretrained`` was asked for, checked."""

    device: torch.device | None = None
    dtype: torch.dtype | str | None = None
    config: VividMedConfig | None = None

    def dtype_for(self, metadata: Mapping[str, str]) -> torch.dtype | None:
        """The dtype to convert to; ``"auto"``: the stored one (None when stored as built)."""
        if self.dtype != "auto":
            return self.dtype if isinstance(self.dtype, torch.dtype) else None
        stored = parse_dtype(metadata.get("dtype"), "stored dtype")
        return stored if isinstance(stored, torch.dtype) else None


def load_arguments(model_args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> LoadArguments:
    """Check ``from_pretrained``'s arguments; refuse what is not honoured, by name."""
    if model_args:
        raise CheckpointError(
            f"from_pretrained: positional model arguments {model_args!r} are not supported "
            "(the config.json of the checkpoint holds every setting)"
        )
    _refuse_unknown("from_pretrained", kwargs, LOAD_ARGUMENTS)
    if kwargs.get("use_safetensors") is False:
        raise CheckpointError("from_pretrained: use_safetensors=False is refused (never pickles)")
    if kwargs.get("weights_only", True) is False:
        raise CheckpointError("from_pretrained: weights_only=False is refused (never unpickles)")
    dtype = parse_dtype(kwargs.get("dtype"))
    old_name = parse_dtype(kwargs.get("torch_dtype"), "torch_dtype")
    if dtype is not None and old_name is not None and dtype != old_name:
        raise CheckpointError(f"from_pretrained: dtype={dtype} and torch_dtype={old_name} differ")
    config = kwargs.get("config")
    if config is not None and not isinstance(config, VividMedConfig):
        raise CheckpointError(f"from_pretrained: config must be a VividMedConfig, got {config!r}")
    return LoadArguments(parse_device_map(kwargs.get("device_map")), dtype or old_name, config)


@dataclass(frozen=True)
class SaveArguments:
    """What ``save_pretrained`` was asked for, checked (``max_shard_size`` in bytes)."""

    max_shard_size: int | None = None
    is_main_process: bool = True
    tokenizer: Any = None
    language_model: str = "auto"
    storage_dtype: torch.dtype | None = None


def parse_shard_size(value: int | str | None) -> int | None:
    """Bytes from an int or a transformers size string ("25MB", "2GiB"); None: one file."""
    from transformers.utils.hub import convert_file_size_to_int

    if value is None:
        return None
    try:
        size = int(convert_file_size_to_int(value))
    except (TypeError, ValueError) as error:
        raise CheckpointError(
            f"max_shard_size={value!r} is not a size such as 25MB, 2GiB or a number of bytes"
        ) from error
    if size < 1:
        raise CheckpointError(f"max_shard_size must be at least 1 byte, got {value!r}")
    return size


def save_arguments(kwargs: Mapping[str, Any]) -> SaveArguments:
    """Check ``save_pretrained``'s arguments; refuse what is not honoured, by name."""
    _refuse_unknown("save_pretrained", kwargs, SAVE_ARGUMENTS)
    if kwargs.get("safe_serialization", True) is not True:
        raise CheckpointError(
            "save_pretrained: safe_serialization=False is refused: checkpoints are "
            "safetensors only, never pickles"
        )
    for name in ("push_to_hub", "variant", "state_dict"):
        if kwargs.get(name) not in (None, False):
            raise CheckpointError(f"save_pretrained: {name}={kwargs[name]!r} is not supported")
    language_model = kwargs.get("language_model", "auto")
    if language_model not in LANGUAGE_MODEL_PARTS:
        raise CheckpointError(
            f"save_pretrained: language_model must be one of {LANGUAGE_MODEL_PARTS}, "
            f"got {language_model!r}"
        )
    storage_dtype = parse_dtype(kwargs.get("storage_dtype"), "storage_dtype")
    if storage_dtype == "auto":
        raise CheckpointError("save_pretrained: storage_dtype must be a dtype, not 'auto'")
    return SaveArguments(
        max_shard_size=parse_shard_size(kwargs.get("max_shard_size")),
        is_main_process=bool(kwargs.get("is_main_process", True)),
        tokenizer=kwargs.get("tokenizer"),
        language_model=language_model,
        storage_dtype=storage_dtype if isinstance(storage_dtype, torch.dtype) else None,
    )
