"""Stage 1-3 conversation builders and the phrase markup."""

from __future__ import annotations

import re

import numpy as np
import pytest

from training.data import (
    build_detection_sample,
    build_grounded_report_sample,
    build_presence_sample,
    build_report_sample,
    build_vqa_sample,
    insert_phrase_tags,
    strip_phrase_tags,
    tag_phrase,
)
from training.data.phantom_source import labelled_case_from_phantom
from training.synthesis.phantom import PhantomCase
from vividmed_viewer.core import TargetCategory, ValidationError, default_taxonomy

PRESENCE_ANSWER = re.compile(
    r"^Results:((<p> [^<]+</p>: yes|<np> [^<]+</np>: no| [^<,]+: no),?)+\.$"
)


def test_phrase_markup_round_trips() -> None:
    text = "A nodule in the right upper lobe. No pneumothorax."
    tags = [
        {"start": 2, "end": 8, "target": "lung nodule"},
        {"start": 16, "end": 32, "target": "right upper lobe"},
    ]
    answer = insert_phrase_tags(text, tags)
    assert answer == "A<p> nodule</p> in the<p> right upper lobe</p>. No pneumothorax."
    clean, spans = strip_phrase_tags(answer)
    assert clean == text
    assert [(s["start"], s["end"]) for s in spans] == [(2, 8), (16, 32)]
    assert tag_phrase("liver", negative=True) == "<np> liver</np>"
    with pytest.raises(ValidationError, match="overlaps another tag"):
        insert_phrase_tags(text, [*tags, {"start": 20, "end": 25, "target": "x"}])


def test_presence_sample_matches_the_paper_format(abnormal_case: PhantomCase) -> None:
    case = labelled_case_from_phantom(abnormal_case, "ct")
    for seed in range(8):
        sample = build_presence_sample(case, np.random.default_rng(seed))
        ((question, answer),) = sample.turns
        assert sample.grounded and sample.stage == 1
        assert question.endswith("included in the image? Answer each with yes or no.") or (
            question.endswith("Answer with yes or no.")
        )
        assert PRESENCE_ANSWER.match(answer), answer
        present = re.findall(r"<p> ([^<]+)</p>: yes", answer)
        absent = re.findall(r"(?:^Results:|,) ([^<,]+): no", answer)
        assert 1 <= len(present) <= 12 and len(absent) <= 4
        assert [t.target for t in sample.targets] == present
        assert all(not t.is_empty for t in sample.targets)
        assert not set(absent) & set(case.present_targets)
        assert "mediastinum" not in absent  # drawn but unlabelled: never called absent
        names_in_question = question.split(" included")[0].removeprefix("Are ").removeprefix("Is ")
        for name in present + absent:
            assert name in names_in_question


def test_negative_phrases_get_empty_targets(normal_case: PhantomCase) -> None:
    case = labelled_case_from_phantom(normal_case, "drr")
    found_negative = False
    for seed in range(6):
        sample = build_presence_sample(case, np.random.default_rng(seed), negative_phrases=True)
        ((_, answer),) = sample.turns
        phrases = re.findall(r"<(n?p)> ([^<]+)</\1>", answer)
        assert [name for _, name in phrases] == [t.target for t in sample.targets]
        for (kind, _), target in zip(phrases, sample.targets, strict=True):
            assert target.negative == (kind == "np")
            if target.negative:
                found_negative = True
                assert target.is_empty and target.mask is not None
                assert target.mask.shape == case.image.shape
    assert found_negative


def test_detection_sample_lists_abnormalities(
    abnormal_case: PhantomCase, normal_case: PhantomCase
) -> None:
    sample = build_detection_sample(
        labelled_case_from_phantom(abnormal_case), np.random.default_rng(1)
    )
    ((_, answer),) = sample.turns
    names = re.findall(r"<p> ([^<]+)</p>", answer)
    assert set(names) == set(abnormal_case.ct_boxes)
    assert all(t.boxes for t in sample.targets)
    empty = build_detection_sample(
        labelled_case_from_phantom(normal_case), np.random.default_rng(1)
    )
    assert empty.turns[0][1] == "No abnormality is found." and not empty.targets
    presence = build_presence_sample(
        labelled_case_from_phantom(abnormal_case),
        np.random.default_rng(2),
        TargetCategory.ABNORMALITY,
    )
    taxonomy = default_taxonomy()
    assert all(taxonomy[t.target].wants_boxes for t in presence.targets)


def test_stage2_samples_are_ungrounded(effusion_case: PhantomCase) -> None:
    case = labelled_case_from_phantom(effusion_case, "drr")
    report = build_report_sample(case, np.random.default_rng(0))
    assert not report.grounded and "<p>" not in report.turns[0][1]
    assert report.turns[0][1].startswith("EXAMINATION: Chest radiograph")
    vqa = build_vqa_sample(case, np.random.default_rng(3), questions=40)
    answers = dict(vqa.turns)
    assert not vqa.grounded and not vqa.targets
    assert answers["What is the modality of this image?"] == "X-ray"
    assert answers["In which plane is this image shown?"] == "coronal"
    assert answers["Is there a pleural effusion in this image?"] == "Yes"
    assert answers["Is there a pneumothorax in this image?"] == "No"
    side = effusion_case.findings["pleural effusion"][0]["side"]
    assert answers["On which side is the pleural effusion?"] == side
    ct_vqa = dict(
        build_vqa_sample(
            labelled_case_from_phantom(effusion_case), np.random.default_rng(3), 40
        ).turns
    )
    assert ct_vqa["In which plane is this image shown?"] == "axial"
    assert ct_vqa["On which side is the pleural effusion?"] == side


def test_vqa_counts_nodules(abnormal_case: PhantomCase) -> None:
    case = labelled_case_from_phantom(abnormal_case)
    answers = dict(build_vqa_sample(case, np.random.default_rng(0), questions=40).turns)
    assert answers["How many lung nodules are there?"] == str(
        len(abnormal_case.ct_boxes["lung nodule"])
    )


def test_grounded_report_sample_pairs_phrases_with_targets(abnormal_case: PhantomCase) -> None:
    case = labelled_case_from_phantom(abnormal_case)
    sample = build_grounded_report_sample(case, np.random.default_rng(0))
    ((_, answer),) = sample.turns
    clean, spans = strip_phrase_tags(answer)
    assert clean == abnormal_case.report.strip()
    assert [s["phrase"] for s in spans] == [t["phrase"] for t in abnormal_case.tags]
    assert [t.target for t in sample.targets] == [t["target"] for t in abnormal_case.tags]
    nodule = next(t for t in sample.targets if t.target == "lung nodule")
    assert nodule.boxes is not None and len(nodule.boxes) == 1
    assert sample.grounded and sample.stage == 3


def test_presence_without_any_candidate_is_refused() -> None:
    from training.data import LabelledCase
    from vividmed_viewer.core import ImageVolume

    case = LabelledCase(ImageVolume(np.zeros((2, 4, 4), np.int16)), source="empty")
    with pytest.raises(ValidationError, match="case 'empty' has no anatomy target to ask about"):
        build_presence_sample(case, np.random.default_rng(0), absent_pool=[])
