"""Grounded decoding: greedy generation that streams text and localizes each phrase."""

from model.generation.decoder import DecodeCallbacks, GroundedDecoder, is_cancelled
from model.generation.detokenizer import IncrementalDetokenizer
from model.generation.phrase_stream import PhraseSpan, PhraseStream
from model.generation.regions import RegionLocalizer, resolve_target
from model.generation.result import (
    ForcedTokens,
    GeneratedPhrase,
    GenerationResult,
    GenerationSettings,
    GroundedGeneration,
)
from model.provenance import ModelProvenance, WeightsState

__all__ = [
    "DecodeCallbacks",
    "ForcedTokens",
    "GeneratedPhrase",
    "GenerationResult",
    "GenerationSettings",
    "GroundedDecoder",
    "GroundedGeneration",
    "IncrementalDetokenizer",
    "ModelProvenance",
    "PhraseSpan",
    "PhraseStream",
    "RegionLocalizer",
    "WeightsState",
    "is_cancelled",
    "resolve_target",
]
