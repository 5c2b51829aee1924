"""NegEx-style assertion of a mention: positive, negated or uncertain.

A trigger before a mention ("no", "without", "cannot exclude", "possible") covers the
mentions after it up to the end of the clause or a scope terminator ("but", "however");
a trigger after a mention ("is not seen", "cannot be excluded") covers the mentions before
it in the same clause. Uncertainty wins over negation when both apply.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Assertion(StrEnum):
    POSITIVE = "positive"
    NEGATED = "negated"
    UNCERTAIN = "uncertain"


PRE_NEGATION = (
    "no evidence of",
    "no signs of",
    "no sign of",
    "negative for",
    "free of",
    "absence of",
    "rule out",
    "ruled out",
    "resolution of",
    "resolved",
    "without",
    "no",
    "not",
    "nor",
)
POST_NEGATION = (
    "is not seen",
    "are not seen",
    "not seen",
    "is absent",
    "are absent",
    "has resolved",
    "have resolved",
    "is ruled out",
    "was ruled out",
    "is excluded",
    "not identified",
    "not present",
    "is not present",
    "are not present",
)
PRE_UNCERTAINTY = (
    "cannot exclude",
    "can not exclude",
    "cannot rule out",
    "can not rule out",
    "possible",
    "possibly",
    "probable",
    "may represent",
    "may be",
    "might be",
    "could be",
    "could represent",
    "questionable",
    "suspicious for",
    "concerning for",
    "suggestive of",
    "differential includes",
    "versus",
    "equivocal",
    "borderline",
)
POST_UNCERTAINTY = (
    "cannot be excluded",
    "can not be excluded",
    "cannot be ruled out",
    "is not excluded",
    "not excluded",
    "is possible",
    "is questioned",
    "may be present",
    "is suspected",
    "suspected",
)
TERMINATORS = (
    "but",
    "however",
    "although",
    "though",
    "except",
    "aside from",
    "apart from",
    "which",
)
_CLAUSE_END = re.compile(r"[.;!?\n]|:\s")


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(
        re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True)
    )
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


_PRE_NEG, _POST_NEG = _pattern(PRE_NEGATION), _pattern(POST_NEGATION)
_PRE_UNC, _POST_UNC = _pattern(PRE_UNCERTAINTY), _pattern(POST_UNCERTAINTY)
_TERMINATOR = _pattern(TERMINATORS)


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the clause around ``text[start:end]`` (sentence, then terminators)."""
    left = 0
    for match in _CLAUSE_END.finditer(text, 0, start):
        left = match.end()
    following = _CLAUSE_END.search(text, end)
    right = following.start() if following else len(text)
    for match in _TERMINATOR.finditer(text, left, start):
        left = match.end()
    terminator = _TERMINATOR.search(text, end, right)
    if terminator:
        right = terminator.start()
    return left, right


def assertion_of(text: str, start: int, end: int, adjacent_only: bool = False) -> Assertion:
    """The assertion of the mention ``text[start:end]``.

    ``adjacent_only`` limits pre-triggers to those directly before the mention (up to an
    article or adjective or two), as used for anatomy names.
    """
    left, right = clause_bounds(text, start, end)
    before, after = text[left:start], text[end:right]
    if adjacent_only:
        words = before.split()
        before = " ".join(words[-3:])
        after = ""
    pre_uncertain = _PRE_UNC.search(before) is not None
    post_uncertain = _POST_UNC.search(after) is not None
    if pre_uncertain or post_uncertain:
        return Assertion.UNCERTAIN
    if _PRE_NEG.search(before) or _POST_NEG.search(after):
        return Assertion.NEGATED
    return Assertion.POSITIVE
