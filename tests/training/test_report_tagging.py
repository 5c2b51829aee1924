"""Tagging free-text reports: synonyms, paraphrases, and dropping negated/uncertain findings."""

from __future__ import annotations

import pytest

from training.synthesis.phantom import PhantomCase
from training.synthesis.tagging import (
    Assertion,
    SentenceEmbedder,
    assertion_of,
    default_embedder,
    find_mentions,
    tag_report,
)


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return default_embedder()


def _pairs(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(t["phrase"], t["target"]) for t in tag_report(text, **kwargs)]  # type: ignore[arg-type]


def test_lexicon_finds_names_and_synonyms() -> None:
    text = "Small left effusion. RUL nodule. The windpipe is midline. Cardiac silhouette normal."
    pairs = _pairs(text)
    assert ("effusion", "pleural effusion") in pairs
    assert ("RUL", "right upper lobe") in pairs and ("nodule", "lung nodule") in pairs
    assert ("windpipe", "trachea") in pairs
    assert ("Cardiac silhouette", "heart") in pairs
    tags = tag_report(text)
    assert all(text[t["start"] : t["end"]] == t["phrase"] for t in tags)


def test_longest_term_wins() -> None:
    mentions = find_mentions("There is a left pleural effusion and a right lower lobe nodule.")
    assert [(m.target) for m in mentions] == ["pleural effusion", "right lower lobe", "lung nodule"]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("No pneumothorax.", Assertion.NEGATED),
        ("There is no evidence of pneumothorax.", Assertion.NEGATED),
        ("Pneumothorax is not seen.", Assertion.NEGATED),
        ("Cannot exclude pneumothorax.", Assertion.UNCERTAIN),
        ("Small pneumothorax cannot be excluded.", Assertion.UNCERTAIN),
        ("Possible pneumothorax.", Assertion.UNCERTAIN),
        ("Small right pneumothorax.", Assertion.POSITIVE),
        ("No effusion, but there is a pneumothorax.", Assertion.POSITIVE),
    ],
)
def test_negex_rules(text: str, status: Assertion) -> None:
    start = text.lower().index("pneumothorax")
    assert assertion_of(text, start, start + len("pneumothorax")) is status


def test_negated_and_uncertain_findings_are_dropped() -> None:
    text = (
        "No pneumothorax or pleural effusion. Cannot exclude consolidation in the left lower lobe. "
        "There is a nodule in the right upper lobe."
    )
    pairs = _pairs(text)
    targets = [target for _, target in pairs]
    assert "pneumothorax" not in targets and "pleural effusion" not in targets
    assert "consolidation" not in targets
    assert ("nodule", "lung nodule") in pairs and ("right upper lobe", "right upper lobe") in pairs
    assert ("left lower lobe", "left lower lobe") in pairs  # anatomy is not negated by context


def test_paraphrases_found_by_the_embedder(embedder: SentenceEmbedder) -> None:
    text = (
        "Enlargement of the heart. Fluid in the pleural space on the right. Broken rib on the left."
    )
    targets = [target for _, target in _pairs(text, embedder=embedder)]
    assert targets == ["cardiomegaly", "pleural effusion", "rib fracture"]
    assert _pairs(text) == [("heart", "heart"), ("rib", "ribs")]  # lexicon alone: anatomy only


def test_negated_paraphrase_is_dropped(embedder: SentenceEmbedder) -> None:
    pairs = _pairs("There is no fluid in the pleural space.", embedder=embedder)
    assert "pleural effusion" not in [t for _, t in pairs]


def test_tagger_recovers_the_phantom_tags(
    abnormal_case: PhantomCase, embedder: SentenceEmbedder
) -> None:
    found = {
        (t["start"], t["end"], t["target"])
        for t in tag_report(abnormal_case.report, embedder=embedder)
    }
    truth = {(t["start"], t["end"], t["target"]) for t in abnormal_case.tags}
    assert len(found & truth) >= 0.8 * len(truth)
    for start, end, target in found - truth:
        assert target not in {"pneumothorax", "pleural effusion", "consolidation"} or any(
            t["target"] == target for t in abnormal_case.tags
        ), (abnormal_case.report[start:end], target)
