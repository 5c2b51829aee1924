"""Constrained opening of phrases where the model starts a taxonomy term."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import torch
from lm_fixtures import fixture_ct_volume, fixture_tiny_pipeline  # noqa: F401

from model.generation.phrase_opener import TaxonomyPhraseOpener
from model.pipeline import VividMedPipeline
from vividmed_viewer.core import ImageVolume
from vividmed_viewer.core.taxonomy import default_taxonomy


def test_a_phrase_opens_on_a_word_that_starts_a_term() -> None:
    opener = TaxonomyPhraseOpener(default_taxonomy())
    assert opener.should_open(" lungs", "FINDINGS:\nThe")
    assert opener.should_open(" trache", "FINDINGS:\nThe")  # " trachea" in two tokens
    assert opener.should_open(" cl", "The")  # " clavicles": " cl" + "av" + "icles"
    assert opener.should_open("Card", "IMPRESSION:\n1. ")  # a line's first word
    assert opener.should_open(" left", "A 7 mm nodule is seen in the")


def test_no_phrase_opens_inside_a_word_in_prose_or_in_a_negated_sentence() -> None:
    opener = TaxonomyPhraseOpener(default_taxonomy())
    assert not opener.should_open("ung", "The l")  # not a word start
    assert not opener.should_open(" the", "FINDINGS:\nThe heart is normal.")
    assert not opener.should_open(" enlarged", "The heart is")  # an adjective here
    assert not opener.should_open(" l", "The heart is normal.")  # too short to tell
    assert not opener.should_open(" la", "The heart is normal.")  # no abbreviations
    assert not opener.should_open(" pleural", "The heart is normal. No")
    assert opener.should_open(" pleural", "No pneumothorax. A small left")


class UntaggedWriter:
    """A logits processor playing a model that writes ``text`` but never a ``<p>``/``</p>``:
    the greedy pick follows the text's tokens, whatever tags the decoder inserted."""

    def __init__(self, pipeline: Any, text: str) -> None:
        ids = pipeline.token_ids
        self.tags = {ids.phrase_open, ids.phrase_close}
        self.sequence = [*pipeline.tokenizer(text, add_special_tokens=False)["input_ids"], ids.eos]

    def __call__(self, generated: Sequence[int], logits: torch.Tensor) -> torch.Tensor:
        step = sum(1 for token in generated if token not in self.tags)
        forced = torch.full_like(logits, float("-inf"))
        forced[self.sequence[min(step, len(self.sequence) - 1)]] = 0.0
        return forced


TEXT = "The heart is normal. No pleural effusion. The lungs are clear.\n1. Cardiomegaly."


def test_the_decoder_grounds_terms_of_an_untagged_report(
    tiny_pipeline: VividMedPipeline, ct_volume: ImageVolume, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = UntaggedWriter(tiny_pipeline, TEXT)
    report = tiny_pipeline.generate_report(ct_volume, max_new_tokens=80, logits_processors=[writer])
    assert report.text == TEXT and not report.phrases  # the default: only the model's tags

    monkeypatch.setattr(tiny_pipeline.model.config, "open_phrases", "taxonomy")
    writer = UntaggedWriter(tiny_pipeline, TEXT)
    report = tiny_pipeline.generate_report(ct_volume, max_new_tokens=80, logits_processors=[writer])
    assert report.text == TEXT
    spans = [report.text[p.start : p.end] for p in report.phrases]
    # The negated effusion stays plain; so does "Cardiomegaly", which the tiny tokenizer starts
    # with a lone "C" (too short to tell); "Th"+"e" opened a phrase that became no term.
    assert spans == ["heart", "lungs"]
    assert [p.target for p in report.phrases] == ["heart", "lungs"]
    assert all((p.mask is not None and p.mask.any()) or p.boxes for p in report.phrases)
    assert report.provenance.settings["open_phrases"] == "taxonomy"
