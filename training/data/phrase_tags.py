"""The answer-side phrase markup: ``<p> left lung</p>`` and ``<np> liver</np>``.

The space before a phrase moves inside the opening tag, as the model emits it:
"a nodule in the right upper lobe" → "a nodule in the<p> right upper lobe</p>".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from vividmed_viewer.core import ValidationError

PHRASE_OPEN, PHRASE_CLOSE = "<p>", "</p>"
NEGATIVE_OPEN, NEGATIVE_CLOSE = "<np>", "</np>"
_TAG = re.compile(r"<(n?p)>(.*?)</\1>", re.DOTALL)


def tag_phrase(phrase: str, negative: bool = False) -> str:
    """``<p> phrase</p>`` (or ``<np> phrase</np>``)."""
    opening, closing = (NEGATIVE_OPEN, NEGATIVE_CLOSE) if negative else (PHRASE_OPEN, PHRASE_CLOSE)
    return f"{opening} {phrase.strip()}{closing}"


def insert_phrase_tags(text: str, tags: Sequence[dict[str, Any]]) -> str:
    """Wrap each tagged span of ``text`` in ``<p>``…``</p>`` (spans must not overlap)."""
    ordered = sorted(tags, key=lambda tag: int(tag["start"]))
    pieces, cursor = [], 0
    for tag in ordered:
        start, end = int(tag["start"]), int(tag["end"])
        if start < cursor or end > len(text) or start >= end:
            raise ValidationError(f"phrase tag {tag} overlaps another tag or leaves the text")
        before = text[cursor:start]
        if before.endswith(" "):
            before = before[:-1]
        pieces += [before, tag_phrase(text[start:end])]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def strip_phrase_tags(answer: str) -> tuple[str, list[dict[str, Any]]]:
    """Remove the markup: clean text and [{phrase, start, end, negative}] in order."""
    clean, spans, cursor = "", [], 0
    for match in _TAG.finditer(answer):
        clean += answer[cursor : match.start()]
        inner = match.group(2)
        if inner.startswith(" "):
            clean += " "
            inner = inner[1:]
        start = len(clean)
        clean += inner
        spans.append(
            {"phrase": inner, "start": start, "end": len(clean), "negative": match.group(1) == "np"}
        )
        cursor = match.end()
    clean += answer[cursor:]
    return clean, spans
