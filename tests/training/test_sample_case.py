"""The small phantom case shipped in resources/samples/phantom_chest."""

from __future__ import annotations

import json

import numpy as np

from training.synthesis.sample_case import SAMPLE_SEED, SAMPLES_DIR, sample_case
from training.synthesis.splits import split_of
from vividmed_viewer.core import GroundedReport, SourceKind
from vividmed_viewer.io import load_image, load_nifti


def test_sample_files_are_small_and_load() -> None:
    total = sum(p.stat().st_size for p in SAMPLES_DIR.parent.rglob("*") if p.is_file())
    assert total < 5 * 1024 * 1024
    ct = load_nifti(SAMPLES_DIR / "ct.nii.gz", modality="CT")
    assert 64 <= ct.shape[0] <= 96 and 128 <= ct.shape[1] <= 160
    drr = load_image(SAMPLES_DIR / "drr.dcm")
    assert drr.is_2d and drr.modality == "CR"
    for kind, image in (("ct", ct), ("drr", drr)):
        report = GroundedReport.load(SAMPLES_DIR / f"report_{kind}.json")
        assert report.provenance.kind is SourceKind.GROUND_TRUTH
        assert report.phrases and all(report.overlays_of(p) for p in report.phrases)
        for overlay in report.overlays.values():
            assert overlay.geometry.shape == image.shape
    labels = json.loads((SAMPLES_DIR / "labels.json").read_text())
    assert labels["seed"] == SAMPLE_SEED and split_of(SAMPLE_SEED) != "test"


def test_shipped_sample_matches_its_generator() -> None:
    case = sample_case()
    ct = load_nifti(SAMPLES_DIR / "ct.nii.gz", modality="CT")
    assert np.array_equal(ct.voxels, case.ct.voxels)
    report = GroundedReport.load(SAMPLES_DIR / "report_ct.json")
    assert report.text == case.report
