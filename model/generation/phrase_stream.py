"""Clean text and phrase spans, built as tags and text deltas stream in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhraseSpan:
    """``text[start:end]`` of the clean text: one phrase, surrounding spaces trimmed."""

    start: int
    end: int
    text: str


class PhraseStream:
    """Accumulates clean text; ``open()``/``close()`` mark a phrase around what arrives between.

    Leading whitespace of the whole answer is dropped, so the text starts with its first
    word and spans index the final text exactly.
    """

    def __init__(self) -> None:
        self.text = ""
        self._open_at: int | None = None

    @property
    def in_phrase(self) -> bool:
        return self._open_at is not None

    def add_text(self, delta: str) -> str:
        """Append a delta; returns what was actually appended (for streaming)."""
        if not self.text:
            delta = delta.lstrip()
        self.text += delta
        return delta

    def open(self) -> None:
        """A ``<p>`` arrived (a second ``<p>`` restarts the phrase)."""
        self._open_at = len(self.text)

    def close(self) -> PhraseSpan | None:
        """A ``</p>`` arrived: the span since ``open()``, or ``None`` when empty or unopened."""
        if self._open_at is None:
            return None
        start, end = self._open_at, len(self.text)
        self._open_at = None
        raw = self.text[start:end]
        start += len(raw) - len(raw.lstrip())
        end -= len(raw) - len(raw.rstrip())
        if end <= start:
            return None
        return PhraseSpan(start, end, self.text[start:end])
