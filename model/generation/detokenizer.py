"""Incremental detokenization: token ids in, text deltas out (never a half UTF-8 character)."""

from __future__ import annotations

from typing import Any

REPLACEMENT = "\ufffd"


class IncrementalDetokenizer:
    """Decode a growing token list into text deltas.

    Decodes a short window (from the last emitted boundary) so the cost per token stays
    constant; a delta ending in an incomplete byte sequence is held back until it completes.
    """

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self._tokens: list[int] = []
        self._prefix_offset = 0
        self._read_offset = 0

    def _decode(self, tokens: list[int]) -> str:
        text: str = self._tokenizer.decode(tokens, skip_special_tokens=False)
        return text

    def push(self, token_id: int) -> str:
        """Add a token; return the new text it completes (may be empty)."""
        self._tokens.append(token_id)
        prefix = self._decode(self._tokens[self._prefix_offset : self._read_offset])
        full = self._decode(self._tokens[self._prefix_offset :])
        if full.endswith(REPLACEMENT) or len(full) < len(prefix):
            return ""
        self._prefix_offset = self._read_offset
        self._read_offset = len(self._tokens)
        return full[len(prefix) :]

    def flush(self) -> str:
        """Whatever is held back (possibly with replacement characters)."""
        prefix = self._decode(self._tokens[self._prefix_offset : self._read_offset])
        full = self._decode(self._tokens[self._prefix_offset :])
        self._prefix_offset = self._read_offset = len(self._tokens)
        return full[len(prefix) :]
