"""The VividMed network, its image processor and grounded decoding (see MODEL.md).

Importing ``model`` is cheap; torch and transformers load when a name below is first used:
``VividMedPipeline`` (app, batch CLI, demo), ``VividMedConfig``, ``VividMedForCausalLM``,
``get_config``/``available_configs`` (named configs), ``save_checkpoint``/``load_model``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "VividMedPipeline": "model.pipeline",
    "VividMedConfig": "model.config",
    "VividMedForCausalLM": "model.modeling",
    "get_config": "model.registry",
    "available_configs": "model.registry",
    "save_checkpoint": "model.checkpoint",
    "load_model": "model.checkpoint",
    "build_model": "model.checkpoint",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
