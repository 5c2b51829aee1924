"""``vividmed export``: a report and its image out as DICOM SEG + SR, valid and read back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest

from vividmed_viewer.cli.main import main
from vividmed_viewer.core import GroundedReport, MaskOverlay
from vividmed_viewer.io.dicom_seg import read_seg
from vividmed_viewer.io.dicom_sr_reader import read_sr

SAMPLES = Path(__file__).resolve().parents[3] / "resources" / "samples" / "phantom_chest"


def dciodvfy_errors(path: Path) -> list[str]:
    if shutil.which("dciodvfy") is None:
        pytest.skip("dciodvfy (Debian dicom3tools) is not installed")
    result = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    return [line for line in (result.stdout + result.stderr).splitlines() if "Error" in line]


def test_export_writes_valid_seg_and_sr_that_tie_phrases_to_their_regions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dicom"
    code = main(
        ["export", str(SAMPLES / "report_ct.json"), "--image", str(SAMPLES / "ct.nii.gz"),
         "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "wrote it as a DICOM series" in printed and f"DICOM SR: {out / 'sr.dcm'}" in printed
    assert dciodvfy_errors(out / "seg.dcm") == [] and dciodvfy_errors(out / "sr.dcm") == []

    report = GroundedReport.load(SAMPLES / "report_ct.json")
    series = [pydicom.dcmread(p) for p in sorted((out / "image").glob("*.dcm"))]
    masks = {m.target: m for m in read_seg(out / "seg.dcm", series)}
    text, regions = read_sr(out / "sr.dcm")
    assert text == report.text
    original = {o.target: o for o in report.overlays.values() if isinstance(o, MaskOverlay)}
    assert set(masks) == set(original)
    for target, mask in masks.items():  # same voxels on the image grid: Dice 1.0
        assert np.array_equal(mask.label_map != 0, original[target].label_map != 0), target
    phrases = [report.body.phrase_text(p) for p in report.phrases if p.overlay_ids]
    assert [r.phrase for r in regions] == phrases  # every grounded phrase, in order
    for region in regions:
        if region.segment_number is not None:
            assert region.target in masks


def test_export_names_the_missing_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = GroundedReport.load(SAMPLES / "report_ct.json")
    report.image_reference = str(tmp_path / "gone.nii.gz")
    report.save(tmp_path / "report.json")
    assert main(["export", str(tmp_path / "report.json"), "--out", str(tmp_path / "o")]) != 0
    assert "gone.nii.gz" in capsys.readouterr().err
