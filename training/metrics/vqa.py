"""VQA accuracy: closed questions by exact match, open questions by normalized match."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CLOSED_ANSWERS = frozenset({"yes", "no"})
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = re.compile(r"[^\w\s]")


def normalize_answer(answer: str) -> str:
    """Lower case, no punctuation, no articles, single spaces."""
    text = _PUNCTUATION.sub(" ", answer.lower())
    return " ".join(_ARTICLES.sub(" ", text).split())


def is_closed(reference: str) -> bool:
    """Yes/no answers are closed questions."""
    return reference.strip().rstrip(".").lower() in CLOSED_ANSWERS


@dataclass(frozen=True)
class VqaAccuracy:
    closed: float | None
    open: float | None
    overall: float
    count: int


def vqa_accuracy(
    predictions: Sequence[str], references: Sequence[str], closed: Sequence[bool] | None = None
) -> VqaAccuracy:
    """Accuracy per question type; ``closed`` defaults to "the reference is yes/no"."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    kinds = list(closed) if closed is not None else [is_closed(r) for r in references]
    hits: dict[bool, list[bool]] = {True: [], False: []}
    for prediction, reference, kind in zip(predictions, references, kinds, strict=True):
        if kind:
            correct = (
                prediction.strip().rstrip(".").lower() == reference.strip().rstrip(".").lower()
            )
        else:
            correct = normalize_answer(prediction) == normalize_answer(reference)
        hits[kind].append(correct)
    every = hits[True] + hits[False]
    return VqaAccuracy(
        closed=sum(hits[True]) / len(hits[True]) if hits[True] else None,
        open=sum(hits[False]) / len(hits[False]) if hits[False] else None,
        overall=sum(every) / len(every) if every else 0.0,
        count=len(every),
    )
