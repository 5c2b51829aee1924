"""The VividMed network, its image processor and grounded decoding (see MODEL.md).

Importing ``model`` is cheap; torch and transformers load when a name below is first used:
``VividMedPipeline`` (app, batch CLI, evaluator), ``VividMedConfig``, ``VividMedForCausalLM``,
``get_config``/``available_configs`` (named configs), ``save_checkpoint``/``load_model``.

The model knows nothing of the viewer's types. It takes images shaped like
:class:`model.processor.ModelImage` (arrays + geometry; the viewer's ``ImageVolume`` fits)
and returns its own results (:class:`model.generation.GenerationResult`: text, phrase
spans, masks and :class:`model.processor.VoxelBox` boxes on the input grid, and a
:class:`model.provenance.ModelProvenance` with a :class:`model.provenance.WeightsState`).
From ``vividmed_viewer`` it imports two modules only (an import-linter contract checks it):

- ``vividmed_viewer.core.errors``, the project's shared error classes (the viewer catches
  ``ModelError``/``CheckpointError``/``InferenceError`` from the model);
- ``vividmed_viewer.core.taxonomy``, kept as shared vocabulary data: the grounding targets
  of ``resources/taxonomy.json`` with their category decide which head a phrase gets and
  where a phrase may open or close. Training tags reports with the same vocabulary and
  the viewer colours regions by it; one reader of that file keeps all three in step.
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
