"""Seed splits and the ground-truth GroundedReport of a phantom."""

from __future__ import annotations

import pytest

from training.synthesis.phantom import PhantomCase, to_grounded_report
from training.synthesis.splits import SPLIT_SEEDS, check_training_seeds, seeds_for, split_of
from vividmed_viewer.core import (
    BoxOverlay,
    GroundedReport,
    MaskOverlay,
    SourceKind,
    TrainingError,
    ValidationError,
)


def test_split_ranges_are_disjoint() -> None:
    names = list(SPLIT_SEEDS)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = SPLIT_SEEDS[first], SPLIT_SEEDS[second]
            assert a.stop <= b.start or b.stop <= a.start, (first, second)
    assert split_of(seeds_for("test", 1)[0]) == "test"
    assert split_of(-5) is None


def test_seeds_for_takes_a_slice_of_the_range() -> None:
    assert seeds_for("val", 3, start=2) == [1_000_002, 1_000_003, 1_000_004]


def test_training_on_test_seeds_is_refused() -> None:
    check_training_seeds(seeds_for("train", 5) + seeds_for("val", 5))
    with pytest.raises(TrainingError, match="held-out test range"):
        check_training_seeds([3, SPLIT_SEEDS["test"].start + 7])


def test_bad_split_requests_say_what_is_wrong() -> None:
    with pytest.raises(TrainingError, match="unknown split 'dev'"):
        seeds_for("dev", 1)
    with pytest.raises(TrainingError, match="holds 10000 seeds"):
        seeds_for("val", 20_000)


def test_grounded_report_links_phrases_to_labels(abnormal_case: PhantomCase, tmp_path) -> None:
    for kind in ("ct", "drr"):
        report = to_grounded_report(abnormal_case, kind)
        assert report.provenance.kind is SourceKind.GROUND_TRUTH
        assert report.provenance.name == "synthetic phantom"
        assert report.provenance.note == f"seed {abnormal_case.seed}"
        text, tags = abnormal_case.report_and_tags(kind)
        assert report.text == text and len(report.phrases) == len(tags)
        image = abnormal_case.image(kind)
        for phrase in report.phrases:
            (overlay,) = report.overlays_of(phrase)
            assert overlay.target == phrase.target
            assert overlay.geometry.same_grid(image.geometry)
            if phrase.target == "lung nodule":
                assert isinstance(overlay, BoxOverlay) and len(overlay.boxes) == 1
            if phrase.target == "heart":
                assert isinstance(overlay, MaskOverlay) and not overlay.is_empty
        path = tmp_path / f"{kind}.json"
        report.save(path)
        loaded = GroundedReport.load(path)
        assert loaded.text == report.text and len(loaded.overlays) == len(report.overlays)


def test_unknown_image_kind_is_refused(normal_case: PhantomCase) -> None:
    with pytest.raises(ValidationError, match="image must be 'ct' or 'drr', got 'mri'"):
        to_grounded_report(normal_case, "mri")
    with pytest.raises(ValidationError, match="got 'xray'"):
        normal_case.masks("xray")
