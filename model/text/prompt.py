"""The prompt layout, answer-only labels and phrase positions (identical in training and decoding).

Layout (spaces are for reading only; texts are tokenized as written)::

    <s> [image] <grd>|<ngrd> <usr> {question}<sys> {answer}</s> <usr> {question}<sys> ...

``[image]`` is one ``IMAGE_PLACEHOLDER_ID`` that the model expands to ``[BOI] img×N [EOI]``.
Labels follow the Hugging Face convention (``labels[i]`` is the target of position ``i``;
the loss shifts by one): only answer tokens and each answer's ``</s>`` are trained, a
``<p>`` target is weighted ``open_weight`` (×5). Negative phrases ``<np> x</np>`` become
``<p> x</p>`` in the inputs; their ``<p>`` is not trained, their ``</p>`` is.
A phrase's position is the index whose next token is its ``</p>``: the hidden state there
is what ``vg_proj`` reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from model.text.special_tokens import (
    IGNORE_INDEX,
    IMAGE_PLACEHOLDER_ID,
    NEGATIVE_CLOSE,
    NEGATIVE_OPEN,
    PHRASE_CLOSE,
    PHRASE_OPEN,
    TokenIds,
)
from vividmed_viewer.core.errors import ModelError

TAG_PATTERN = re.compile(r"(<p>|</p>|<np>|</np>)")


@dataclass(frozen=True)
class ChatTurn:
    """One question and its answer (``None`` for the turn the model is to write)."""

    question: str
    answer: str | None = None


@dataclass
class EncodedPrompt:
    """Token ids with their training labels and loss weights, and the phrases they hold."""

    input_ids: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    phrase_positions: list[int] = field(default_factory=list)
    phrase_negative: list[bool] = field(default_factory=list)
    phrase_texts: list[str] = field(default_factory=list)

    def append(self, token_id: int, label: int = IGNORE_INDEX, weight: float = 0.0) -> None:
        self.input_ids.append(token_id)
        self.labels.append(label)
        self.weights.append(weight if label != IGNORE_INDEX else 0.0)

    def extend_text(self, token_ids: Sequence[int], trained: bool) -> None:
        for token_id in token_ids:
            self.append(token_id, token_id if trained else IGNORE_INDEX, 1.0)

    @property
    def image_index(self) -> int:
        """Index of the image placeholder."""
        return self.input_ids.index(IMAGE_PLACEHOLDER_ID)


def strip_tags(text: str) -> str:
    """The text without ``<p>``/``</p>``/``<np>``/``</np>`` tags."""
    return TAG_PATTERN.sub("", text)


def _text_ids(tokenizer: Any, text: str) -> list[int]:
    if not text:
        return []
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _encode_answer(
    tokenizer: Any,
    ids: TokenIds,
    answer: str,
    grounded: bool,
    open_weight: float,
    out: EncodedPrompt,
) -> None:
    """Append one answer (with its tags) and its trained labels to ``out``."""
    if not grounded:
        out.extend_text(_text_ids(tokenizer, strip_tags(answer)), trained=True)
        return
    open_tag: str | None = None
    phrase_start = 0
    for piece in TAG_PATTERN.split(answer):
        if piece in (PHRASE_OPEN, NEGATIVE_OPEN):
            if open_tag is not None:
                raise ModelError(f"nested phrase tag {piece!r} inside {open_tag!r} in: {answer!r}")
            open_tag = piece
            phrase_start = len(out.input_ids)
            negative = piece == NEGATIVE_OPEN
            out.append(
                ids.phrase_open,
                IGNORE_INDEX if negative else ids.phrase_open,
                0.0 if negative else open_weight,
            )
        elif piece in (PHRASE_CLOSE, NEGATIVE_CLOSE):
            expected = PHRASE_OPEN if piece == PHRASE_CLOSE else NEGATIVE_OPEN
            if open_tag != expected:
                raise ModelError(f"{piece!r} without a matching {expected!r} in: {answer!r}")
            out.phrase_positions.append(len(out.input_ids) - 1)
            out.phrase_negative.append(piece == NEGATIVE_CLOSE)
            out.phrase_texts.append(tokenizer.decode(out.input_ids[phrase_start + 1 :]).strip())
            out.append(ids.phrase_close, ids.phrase_close, 1.0)
            open_tag = None
        else:
            out.extend_text(_text_ids(tokenizer, piece), trained=True)
    if open_tag is not None:
        raise ModelError(f"phrase tag {open_tag!r} is never closed in: {answer!r}")


def encode_conversation(
    tokenizer: Any,
    ids: TokenIds,
    turns: Sequence[ChatTurn],
    *,
    grounded: bool,
    open_weight: float = 5.0,
) -> EncodedPrompt:
    """Token ids, labels, weights and phrase positions of a conversation about one image.

    Every answered turn is trained; a last turn without an answer ends the ids at ``<sys>``
    (a generation prompt). With ``grounded=False`` tags are stripped from the answers.
    """
    if not turns:
        raise ModelError("a conversation needs at least one question")
    out = EncodedPrompt()
    out.append(ids.bos)
    out.append(IMAGE_PLACEHOLDER_ID)
    out.append(ids.grd if grounded else ids.ngrd)
    for number, turn in enumerate(turns):
        out.append(ids.usr)
        out.extend_text(_text_ids(tokenizer, turn.question), trained=False)
        out.append(ids.sys)
        if turn.answer is None:
            if number != len(turns) - 1:
                raise ModelError("only the last turn of a conversation may lack an answer")
            break
        _encode_answer(tokenizer, ids, turn.answer, grounded, open_weight, out)
        out.append(ids.eos, ids.eos, 1.0)
    return out
