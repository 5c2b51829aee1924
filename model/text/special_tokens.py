"""The VividMed tags added to a backbone's tokenizer, and their ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vividmed_viewer.core.errors import ModelError

SYS, USR, GRD, NGRD = "<sys>", "<usr>", "<grd>", "<ngrd>"
PHRASE_OPEN, PHRASE_CLOSE = "<p>", "</p>"
NEGATIVE_OPEN, NEGATIVE_CLOSE = "<np>", "</np>"

#: Exact strings of the added tokens, in the order they are added.
SPECIAL_TOKENS: tuple[str, ...] = (
    SYS,
    USR,
    GRD,
    NGRD,
    PHRASE_OPEN,
    PHRASE_CLOSE,
    NEGATIVE_OPEN,
    NEGATIVE_CLOSE,
)

#: Placeholder ids in ``input_ids`` (never embedded): the model replaces the single
#: ``IMAGE_PLACEHOLDER_ID`` with ``[BOI] img×N [EOI]`` when it knows N.
IMAGE_PLACEHOLDER_ID = -200
IGNORE_INDEX = -100


@dataclass(frozen=True)
class TokenIds:
    """Ids of every token the prompt layout and the decoder need."""

    bos: int
    eos: int
    pad: int
    sys: int
    usr: int
    grd: int
    ngrd: int
    phrase_open: int
    phrase_close: int
    negative_open: int
    negative_close: int

    @property
    def tags(self) -> frozenset[int]:
        """Ids that never appear in clean text."""
        return frozenset(
            (
                self.bos,
                self.eos,
                self.pad,
                self.sys,
                self.usr,
                self.grd,
                self.ngrd,
                self.phrase_open,
                self.phrase_close,
                self.negative_open,
                self.negative_close,
            )
        )

    def to_config(self) -> dict[str, int]:
        """The ``special_token_ids`` dict stored in :class:`model.config.VividMedConfig`."""
        return {
            "bos": self.bos,
            "eos": self.eos,
            "pad": self.pad,
            SYS: self.sys,
            USR: self.usr,
            GRD: self.grd,
            NGRD: self.ngrd,
            PHRASE_OPEN: self.phrase_open,
            PHRASE_CLOSE: self.phrase_close,
            NEGATIVE_OPEN: self.negative_open,
            NEGATIVE_CLOSE: self.negative_close,
        }

    @classmethod
    def from_config(cls, ids: dict[str, int]) -> TokenIds:
        """Read ids back from a config; a missing one raises with the missing names."""
        needed = ("bos", "eos", "pad", *SPECIAL_TOKENS)
        missing = [name for name in needed if name not in ids]
        if missing:
            raise ModelError(f"the model config lacks token ids for {missing}")
        return cls(
            bos=int(ids["bos"]),
            eos=int(ids["eos"]),
            pad=int(ids["pad"]),
            sys=int(ids[SYS]),
            usr=int(ids[USR]),
            grd=int(ids[GRD]),
            ngrd=int(ids[NGRD]),
            phrase_open=int(ids[PHRASE_OPEN]),
            phrase_close=int(ids[PHRASE_CLOSE]),
            negative_open=int(ids[NEGATIVE_OPEN]),
            negative_close=int(ids[NEGATIVE_CLOSE]),
        )


def add_vividmed_tokens(tokenizer: Any) -> TokenIds:
    """Add the VividMed tags to ``tokenizer`` (idempotent) and return every id the model needs.

    ``bos``/``eos`` are the tokenizer's own (``<s>``/``</s>`` of the layout); ``pad`` falls
    back to ``eos`` when the tokenizer has none.
    """
    from tokenizers import AddedToken

    vocabulary = tokenizer.get_vocab()
    new = [t for t in SPECIAL_TOKENS if t not in vocabulary]
    if new:
        tokenizer.add_tokens(
            [AddedToken(t, special=True, normalized=False) for t in new], special_tokens=True
        )
    ids = {t: int(tokenizer.convert_tokens_to_ids(t)) for t in SPECIAL_TOKENS}
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    if bos is None or eos is None:
        raise ModelError("the backbone's tokenizer has no begin/end-of-sequence tokens")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    return TokenIds(
        bos=int(bos),
        eos=int(eos),
        pad=int(pad),
        sys=ids[SYS],
        usr=ids[USR],
        grd=ids[GRD],
        ngrd=ids[NGRD],
        phrase_open=ids[PHRASE_OPEN],
        phrase_close=ids[PHRASE_CLOSE],
        negative_open=ids[NEGATIVE_OPEN],
        negative_close=ids[NEGATIVE_CLOSE],
    )
