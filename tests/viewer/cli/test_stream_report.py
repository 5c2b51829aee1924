"""``vividmed report IMAGE``: streams a report for a real DICOM file and summarises regions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pydicom.data
import pytest

from vividmed_viewer.cli.main import main as vividmed
from vividmed_viewer.cli.stream_report import TEMPLATE_NOTE, UNTRAINED_NOTE, main, summarise
from vividmed_viewer.core import ImageVolume
from vividmed_viewer.inference.forcing import scripted
from vividmed_viewer.inference.model_runs import run_report

REPORT = [
    "Heart normal. The", "<p>", " left lung", "</p>", " shows a", "<p>",
    " small lung nodule", "</p>", " (8 mm).", "</s>",
]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_pipeline() -> Any:
    from model.pipeline import VividMedPipeline

    return VividMedPipeline.from_config("tiny", device="cpu")


def test_report_streams_for_a_dicom_ct(capsys: pytest.CaptureFixture[str]) -> None:
    path = pydicom.data.get_testdata_file("CT_small.dcm")
    assert main([str(path), "--config", "tiny", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "Image: CT 128×128" in out
    assert UNTRAINED_NOTE in out and TEMPLATE_NOTE in out
    # The template streams with a marker as each phrase's regions arrive, then a summary.
    assert "The trachea[1] is midline. The heart[2] is outlined." in out
    assert "5 grounded phrases in" in out and "UNTRAINED weights (no checkpoint)" in out
    assert "[4] 'lung nodule' → lung nodule" in out
    assert "box: (" in out  # box threshold 0 for the untrained template: boxes are listed


def test_report_can_let_the_untrained_model_write_or_force_an_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = pydicom.data.get_testdata_file("CT_small.dcm")
    common = [str(path), "--config", "tiny", "--device", "cpu", "--max-new-tokens", "5"]
    assert main([*common, "--free"]) == 0
    out = capsys.readouterr().out
    assert UNTRAINED_NOTE in out and TEMPLATE_NOTE not in out
    assert vividmed(["report", *common, "--answer", "A<p> heart</p>."]) == 0  # the subcommand
    out = capsys.readouterr().out
    assert "A heart[1]." in out and "1 grounded phrases" in out
    assert "[1] 'heart' → heart" in out


def test_report_names_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "absent.dcm"), "--config", "tiny"]) == 2
    assert "absent.dcm" in capsys.readouterr().err


def test_summary_lists_mask_area_and_box_extents(tiny_pipeline: Any) -> None:
    y, x = np.mgrid[0:150, 0:130]
    film = 100.0 + 800.0 * (((y - 75) / 60.0) ** 2 + ((x - 65) / 50.0) ** 2 < 1.0)
    radiograph = ImageVolume(film[None].astype(np.float32), spacing=(1.0, 0.7, 0.6), modality="CR")
    report = run_report(
        tiny_pipeline,
        radiograph,
        box_threshold=0.0,
        heads="both",
        logits_processors=[scripted(tiny_pipeline, REPORT)],
    )
    lines = summarise(report)
    assert lines[0] == "[1] 'left lung' → left lung"
    text = "\n".join(lines)
    assert "[2] 'small lung nodule' → lung nodule" in text
    # 6 queries per phrase, all kept at threshold 0: 3 listed, the rest counted.
    assert text.count("box: ") == 6 and text.count("… 3 more boxes") == 2
    assert "(y, x)" in text and "mm LPS, score" in text
    assert "\n".join(summarise(report, boxes_shown=6)).count("box: ") == 12
    masks = [line for line in lines if "mask:" in line]
    assert masks and all(" cm²" in line and "pixels" in line for line in masks)  # area
