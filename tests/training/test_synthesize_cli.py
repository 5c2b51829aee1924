"""``vividmed synthesize`` writes loadable DICOM/NIfTI cases, masks, reports and a manifest."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training.synthesis.phantom import generate_phantom
from vividmed_viewer.cli.main import main
from vividmed_viewer.core import GroundedReport
from vividmed_viewer.io import load_image, load_nifti


@pytest.mark.slow
def test_synthesize_dicom_case_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["synthesize", "--out", str(tmp_path), "--split", "val", "--count", "1"]) == 0
    assert "wrote 1 case(s)" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["split"] == "val" and len(manifest["cases"]) == 1
    entry = manifest["cases"][0]
    folder = tmp_path / entry["folder"]
    case = generate_phantom(entry["seed"])
    ct = load_image(folder / entry["images"]["ct"])
    assert ct.modality == "CT" and ct.shape == case.ct.shape
    assert np.array_equal(ct.voxels.astype(np.int16), case.ct.voxels)
    assert np.allclose(ct.affine, case.ct.affine, atol=1e-3)
    drr = load_image(folder / entry["images"]["drr"])
    assert drr.modality == "CR" and drr.shape == case.drr.shape
    lungs = load_nifti(folder / entry["masks"]["ct"]["lungs"])
    assert np.array_equal(lungs.voxels, case.ct_masks["lungs"])
    report = GroundedReport.load(folder / entry["reports"]["ct"])
    assert report.text == case.report


def test_synthesize_nifti_without_masks(tmp_path: Path) -> None:
    args = ["synthesize", "--out", str(tmp_path), "--split", "test", "--count", "1"]
    assert main([*args, "--format", "nifti", "--no-masks", "--start", "4"]) == 0
    folder = tmp_path / "case_2000004"
    ct = load_nifti(folder / "ct.nii.gz")
    assert ct.shape == generate_phantom(2_000_004).ct.shape
    assert not (folder / "masks").exists()


def test_synthesize_reports_a_bad_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["synthesize", "--out", str(tmp_path), "--split", "val", "--count", "999999"])
    assert code == 1
    assert "split 'val' holds 10000 seeds" in capsys.readouterr().err
