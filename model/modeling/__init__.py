"""The VividMed network: config → modules → forward with LM and localization losses."""

from model.modeling.outputs import VividMedOutput
from model.modeling.sequence import MultimodalBatch, build_multimodal_batch
from model.modeling.vividmed import VividMedForCausalLM, build_language_model

__all__ = [
    "MultimodalBatch",
    "VividMedForCausalLM",
    "VividMedOutput",
    "build_language_model",
    "build_multimodal_batch",
]
