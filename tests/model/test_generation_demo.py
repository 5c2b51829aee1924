"""``python -m model.demo``: streams a report for a real DICOM file and summarises regions."""

from __future__ import annotations

from pathlib import Path

import pydicom.data
import pytest
from lm_fixtures import fixture_radiograph, fixture_tiny_pipeline  # noqa: F401
from test_generation_decoding import REPORT, forced

from model.demo import UNTRAINED_NOTE, main, summarise
from model.pipeline import VividMedPipeline
from vividmed_viewer.core import ImageVolume


def test_demo_streams_a_report_for_a_dicom_ct(capsys: pytest.CaptureFixture[str]) -> None:
    path = pydicom.data.get_testdata_file("CT_small.dcm")
    assert main([str(path), "--config", "tiny", "--max-new-tokens", "6", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "Image: CT 128×128" in out
    assert UNTRAINED_NOTE in out
    assert "grounded phrases (Model: VividMed (tiny)" in out


def test_demo_reports_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "absent.dcm"), "--config", "tiny"]) == 2
    assert "absent.dcm" in capsys.readouterr().err


def test_summary_lists_mask_volume_and_box_extents(
    tiny_pipeline: VividMedPipeline, radiograph: ImageVolume
) -> None:
    report = tiny_pipeline.generate_report(
        radiograph,
        box_threshold=0.0,
        heads="both",
        logits_processors=[forced(tiny_pipeline, REPORT)],
    )
    lines = summarise(report)
    assert lines[0] == "[1] 'left lung' → left lung"
    text = "\n".join(lines)
    assert "[2] 'small lung nodule' → lung nodule" in text
    assert text.count("box: ") == 12  # 6 queries per phrase, all kept at threshold 0
    assert "mm LPS" in text
    masks = [line for line in lines if "mask:" in line]
    assert all(" mL" in line for line in masks)
