"""Prompt layout, answer-only labels, <p> weight, negative phrases and the collator."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from lm_fixtures import fixture_tiny_config, fixture_tiny_tokenizer  # noqa: F401

from model.text import (
    IGNORE_INDEX,
    IMAGE_PLACEHOLDER_ID,
    SPECIAL_TOKENS,
    ChatTurn,
    PhraseTarget,
    TokenIds,
    TrainingSample,
    VividMedCollator,
    add_vividmed_tokens,
    encode_conversation,
    encode_sample,
    load_tokenizer,
    tokenizer_directory,
)
from vividmed_viewer.core import CheckpointError, ModelError

Tokenizer = tuple[Any, TokenIds]


def text_ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def test_added_tokens_are_single_tokens_with_exact_strings(tiny_tokenizer: Tokenizer) -> None:
    tokenizer, ids = tiny_tokenizer
    assert SPECIAL_TOKENS == ("<sys>", "<usr>", "<grd>", "<ngrd>", "<p>", "</p>", "<np>", "</np>")
    for tag in SPECIAL_TOKENS:
        encoded = text_ids(tokenizer, tag)
        assert len(encoded) == 1 and tokenizer.decode(encoded) == tag
    assert ids.phrase_open == tokenizer.convert_tokens_to_ids("<p>")
    assert add_vividmed_tokens(tokenizer) == ids  # adding twice changes nothing


def test_grounded_layout_and_answer_only_labels(tiny_tokenizer: Tokenizer) -> None:
    tokenizer, ids = tiny_tokenizer
    question, answer = "Where is it?", "In the<p> left lung</p>."
    encoded = encode_conversation(tokenizer, ids, [ChatTurn(question, answer)], grounded=True)
    q = text_ids(tokenizer, question)
    expected = [
        *(ids.bos, IMAGE_PLACEHOLDER_ID, ids.grd, ids.usr, *q, ids.sys),
        *text_ids(tokenizer, "In the"),
        *(ids.phrase_open, *text_ids(tokenizer, " left lung"), ids.phrase_close),
        *text_ids(tokenizer, "."),
        ids.eos,
    ]
    assert encoded.input_ids == expected
    answer_start = 5 + len(q)
    assert encoded.labels[:answer_start] == [IGNORE_INDEX] * answer_start
    assert encoded.labels[answer_start:] == expected[answer_start:]
    weights = encoded.weights
    assert weights[:answer_start] == [0.0] * answer_start
    open_at = expected.index(ids.phrase_open)
    assert weights[open_at] == 5.0
    assert set(weights[answer_start:open_at] + weights[open_at + 1 :]) == {1.0}
    close_at = expected.index(ids.phrase_close)
    assert encoded.phrase_positions == [close_at - 1]
    assert encoded.phrase_texts == ["left lung"]


def test_negative_phrase_becomes_p_with_untrained_open_and_trained_close(
    tiny_tokenizer: Tokenizer,
) -> None:
    tokenizer, ids = tiny_tokenizer
    answer = "Results:<p> heart</p>: yes,<np> liver</np>: no."
    encoded = encode_conversation(tokenizer, ids, [ChatTurn("Q", answer)], grounded=True)
    assert ids.negative_open not in encoded.input_ids
    assert ids.negative_close not in encoded.input_ids
    opens = [i for i, t in enumerate(encoded.input_ids) if t == ids.phrase_open]
    closes = [i for i, t in enumerate(encoded.input_ids) if t == ids.phrase_close]
    assert len(opens) == len(closes) == 2
    assert encoded.labels[opens[0]] == ids.phrase_open and encoded.weights[opens[0]] == 5.0
    assert encoded.labels[opens[1]] == IGNORE_INDEX and encoded.weights[opens[1]] == 0.0
    assert [encoded.labels[c] for c in closes] == [ids.phrase_close] * 2
    assert encoded.phrase_positions == [c - 1 for c in closes]
    assert encoded.phrase_negative == [False, True]
    assert encoded.phrase_texts == ["heart", "liver"]


def test_ungrounded_prompt_uses_ngrd_and_strips_tags(tiny_tokenizer: Tokenizer) -> None:
    tokenizer, ids = tiny_tokenizer
    encoded = encode_conversation(
        tokenizer, ids, [ChatTurn("Q", "A<p> heart</p> b<np> liver</np>.")], grounded=False
    )
    assert encoded.input_ids[2] == ids.ngrd
    assert not {ids.phrase_open, ids.phrase_close} & set(encoded.input_ids)
    assert encoded.phrase_positions == []
    answer = encoded.input_ids[encoded.input_ids.index(ids.sys) + 1 : -1]
    assert tokenizer.decode(answer) == "A heart b liver."


def test_multi_turn_trains_every_answer_and_ends_a_generation_prompt_at_sys(
    tiny_tokenizer: Tokenizer,
) -> None:
    tokenizer, ids = tiny_tokenizer
    turns = [ChatTurn("One?", "Yes."), ChatTurn("Two?", "No."), ChatTurn("Three?")]
    encoded = encode_conversation(tokenizer, ids, turns, grounded=False)
    assert encoded.input_ids[-1] == ids.sys
    assert encoded.input_ids.count(ids.usr) == 3 and encoded.input_ids.count(ids.eos) == 2
    trained = [t for t, label in zip(encoded.input_ids, encoded.labels, strict=True) if label >= 0]
    assert trained == [*text_ids(tokenizer, "Yes."), ids.eos, *text_ids(tokenizer, "No."), ids.eos]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("a<p> b", "never closed"),
        ("a</p> b", "without a matching '<p>'"),
        ("<p> a<np> b</np></p>", "nested phrase tag"),
        ("<np> a</p>", "without a matching '<p>'"),
    ],
)
def test_malformed_tags_are_reported(tiny_tokenizer: Tokenizer, answer: str, message: str) -> None:
    tokenizer, ids = tiny_tokenizer
    with pytest.raises(ModelError, match=message):
        encode_conversation(tokenizer, ids, [ChatTurn("Q", answer)], grounded=True)


def test_only_the_last_turn_may_lack_an_answer(tiny_tokenizer: Tokenizer) -> None:
    tokenizer, ids = tiny_tokenizer
    with pytest.raises(ModelError, match="only the last turn"):
        encode_conversation(tokenizer, ids, [ChatTurn("a"), ChatTurn("b")], grounded=False)
    with pytest.raises(ModelError, match="at least one question"):
        encode_conversation(tokenizer, ids, [], grounded=False)


def sample(answer: str, targets: list[PhraseTarget], depth: int = 1) -> TrainingSample:
    return TrainingSample(
        pixel_values=torch.zeros(1, 3, depth, 32, 32),
        localization_values=torch.zeros(1, 1, depth, 32, 32),
        turns=[ChatTurn("Q", answer)],
        grounded=True,
        targets=targets,
    )


def test_collator_pads_right_and_keeps_targets(tiny_tokenizer: Tokenizer) -> None:
    tokenizer, ids = tiny_tokenizer
    short = encode_sample(tokenizer, ids, sample("ok", []))
    mask = PhraseTarget("mask", mask=torch.ones(1, 32, 32))
    long = encode_sample(tokenizer, ids, sample("a longer<p> heart</p> answer", [mask]))
    batch = VividMedCollator(ids.pad)([short, long])
    n_short, n_long = len(short.prompt.input_ids), len(long.prompt.input_ids)
    assert batch["input_ids"].shape == (2, n_long)
    assert batch["attention_mask"][0].tolist() == [1] * n_short + [0] * (n_long - n_short)
    assert (batch["input_ids"][0, n_short:] == ids.pad).all()
    assert (batch["labels"][0, n_short:] == IGNORE_INDEX).all()
    assert (batch["label_weights"][0, n_short:] == 0).all()
    assert batch["pixel_values"].shape == (2, 3, 1, 32, 32)
    assert batch["phrase_targets"][1] == [mask]
    mixed = encode_sample(tokenizer, ids, sample("ok", [], depth=4))
    assert isinstance(VividMedCollator(ids.pad)([short, mixed])["pixel_values"], list)


def test_phrase_and_target_counts_must_agree(tiny_tokenizer: Tokenizer) -> None:
    tokenizer, ids = tiny_tokenizer
    with pytest.raises(ModelError, match=r"tags 1 phrases \['heart'\] but the sample has 0"):
        encode_sample(tokenizer, ids, sample("<p> heart</p>", []))


def test_target_and_sample_shapes_are_checked() -> None:
    with pytest.raises(ModelError, match="needs a mask"):
        PhraseTarget("mask")
    with pytest.raises(ModelError, match=r"boxes must be \[M, 6\]"):
        PhraseTarget("boxes", boxes=torch.zeros(2, 4))
    with pytest.raises(ModelError, match=r"must be \[C, D, H, W\]"):
        TrainingSample(torch.zeros(3, 32, 32), torch.zeros(1, 1, 32, 32), [], True)
    assert PhraseTarget.empty("mask", (2, 8, 8)).mask.sum() == 0  # type: ignore[union-attr]
    assert PhraseTarget.empty("boxes", (2, 8, 8)).boxes.shape == (0, 6)  # type: ignore[union-attr]


def test_unknown_tokenizer_is_reported(tmp_path: Any) -> None:
    with pytest.raises(CheckpointError, match="tokenizer not found"):
        tokenizer_directory(str(tmp_path / "nothing"))
    with pytest.raises(CheckpointError, match="cannot load a tokenizer"):
        load_tokenizer(tmp_path)
