"""Constrained closing of open phrases at the end of taxonomy terms."""

from __future__ import annotations

from model.generation.phrase_closer import TaxonomyPhraseCloser
from vividmed_viewer.core.taxonomy import default_taxonomy


def test_a_finished_term_closes_unless_the_next_token_lengthens_it() -> None:
    closer = TaxonomyPhraseCloser(default_taxonomy(), max_tokens=8)
    assert closer.should_close(" heart", " heart is", 1)
    assert closer.should_close(" left lung", " left lung.", 2)
    assert not closer.should_close(" lung", " lung nodule", 1)  # "lung nodule" is longer
    assert not closer.should_close(" left", " left lung", 1)  # not a term yet
    assert not closer.should_close(" pleural", " pleural eff", 1)  # the start of a term


def test_a_phrase_that_runs_on_is_closed_at_the_limit() -> None:
    closer = TaxonomyPhraseCloser(default_taxonomy(), max_tokens=3)
    assert not closer.should_close(" no such thing", " no such thing at", 2)
    assert closer.should_close(" no such thing at", " no such thing at all", 3)
