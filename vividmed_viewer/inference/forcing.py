"""Scripted decoding: make the model write a given grounded text (tests, benchmarks, demos).

Untrained weights pick arbitrary tokens; forcing the greedy pick through a fixed sequence
(``model.generation.ForcedTokens``) still runs every real forward pass and localization, so
phrases, regions, streaming and timing behave as with a trained model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.pipeline import VividMedPipeline

PHRASE_OPEN, PHRASE_CLOSE, END = "<p>", "</p>", "</s>"


def script_tokens(pipeline: VividMedPipeline, pieces: Sequence[str]) -> list[int]:
    """Token ids of text pieces and the tags ``<p>``, ``</p>``, ``</s>``, in order."""
    ids = pipeline.token_ids
    tags = {PHRASE_OPEN: ids.phrase_open, PHRASE_CLOSE: ids.phrase_close, END: ids.eos}
    sequence: list[int] = []
    for piece in pieces:
        if piece in tags:
            sequence.append(tags[piece])
        else:
            sequence += pipeline.tokenizer(piece, add_special_tokens=False)["input_ids"]
    return sequence


def scripted(pipeline: VividMedPipeline, pieces: Sequence[str]) -> Any:
    """A logits processor making the model write ``pieces`` (then whatever it picks)."""
    from model.generation import ForcedTokens

    return ForcedTokens(script_tokens(pipeline, pieces))


def script_text(pieces: Sequence[str]) -> str:
    """The clean text a script produces (tags removed)."""
    return "".join(p for p in pieces if p not in (PHRASE_OPEN, PHRASE_CLOSE, END))


class Pacer:
    """A pass-through logits processor: sleeps ``seconds`` a token from token ``after`` on,
    and sets ``reached`` when generation gets there (lets a test stop a run mid-way)."""

    def __init__(self, after: int, seconds: float) -> None:
        self.after, self.seconds = after, seconds
        self.reached = threading.Event()

    def __call__(self, generated: Sequence[int], logits: Any) -> Any:
        if len(generated) >= self.after:
            self.reached.set()
            time.sleep(self.seconds)
        return logits
