"""Grounded decoding: greedy generation that streams text and localizes each phrase."""

from model.generation.convert import phrase_overlays, to_grounded_report, to_grounded_text, to_turn
from model.generation.decoder import DecodeCallbacks, GroundedDecoder, is_cancelled
from model.generation.detokenizer import IncrementalDetokenizer
from model.generation.phrase_stream import PhraseSpan, PhraseStream
from model.generation.regions import RegionLocalizer, resolve_target
from model.generation.result import (
    ForcedTokens,
    GeneratedPhrase,
    GenerationSettings,
    GroundedGeneration,
)

__all__ = [
    "DecodeCallbacks",
    "ForcedTokens",
    "GeneratedPhrase",
    "GenerationSettings",
    "GroundedDecoder",
    "GroundedGeneration",
    "IncrementalDetokenizer",
    "PhraseSpan",
    "PhraseStream",
    "RegionLocalizer",
    "is_cancelled",
    "phrase_overlays",
    "resolve_target",
    "to_grounded_report",
    "to_grounded_text",
    "to_turn",
]
