"""Streaming pieces of decoding: detokenizer deltas, phrase spans, target resolution."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from lm_fixtures import fixture_tiny_config, fixture_tiny_tokenizer  # noqa: F401

from model.generation import ForcedTokens, IncrementalDetokenizer, PhraseStream, resolve_target
from model.text import TokenIds
from vividmed_viewer.core import default_taxonomy


def test_detokenizer_never_splits_a_character(tiny_tokenizer: tuple[Any, TokenIds]) -> None:
    tokenizer, _ = tiny_tokenizer
    text = "Naïve 😀 lung, ±5 mm."
    tokens = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert len(tokens) > len(text.split())  # multi-byte characters span several tokens
    detokenizer = IncrementalDetokenizer(tokenizer)
    deltas = [detokenizer.push(t) for t in tokens] + [detokenizer.flush()]
    assert "".join(deltas) == text
    assert not any("\ufffd" in d for d in deltas)


def test_phrase_stream_trims_spaces_and_drops_empty_phrases() -> None:
    stream = PhraseStream()
    assert stream.add_text("  The") == "The"
    stream.open()
    stream.add_text(" right ")
    stream.add_text("kidney ")
    span = stream.close()
    assert span is not None and (span.start, span.end, span.text) == (4, 16, "right kidney")
    assert stream.text[span.start : span.end] == "right kidney"
    stream.open()
    stream.add_text("  ")
    assert stream.close() is None
    assert stream.close() is None  # a </p> without <p>
    assert not stream.in_phrase


@pytest.mark.parametrize(
    ("phrase", "target", "category"),
    [
        ("left lung", "left lung", "anatomy"),
        ("Windpipe", "trachea", "anatomy"),
        ("small left pleural effusion", "pleural effusion", "abnormality"),
        ("unusual shadow thing", "unusual shadow thing", "unknown"),
    ],
)
def test_targets_resolve_through_names_synonyms_and_contained_terms(
    phrase: str, target: str, category: str
) -> None:
    assert resolve_target(default_taxonomy(), phrase) == (target, category)


def test_forced_answer_is_tokenized_as_training_tokenizes_it(
    tiny_tokenizer: tuple[Any, TokenIds],
) -> None:
    tokenizer, ids = tiny_tokenizer

    def encode(text: str) -> list[int]:
        return list(tokenizer(text, add_special_tokens=False)["input_ids"])

    forced = ForcedTokens.from_answer(tokenizer, ids, "In the<p> left lung</p>.")
    expected = [*encode("In the"), ids.phrase_open, *encode(" left lung"), ids.phrase_close]
    assert forced.token_ids == [*expected, *encode("."), ids.eos]
    logits = torch.zeros(10_000)
    assert int(torch.argmax(forced([], logits))) == forced.token_ids[0]
    assert torch.equal(forced(forced.token_ids, logits), logits)  # past its end: unchanged
