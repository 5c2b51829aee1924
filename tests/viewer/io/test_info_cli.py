"""``vividmed info`` on the test folders: what it prints, as text and JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import WrittenSeries
from PIL import Image
from pydicom.data import get_testdata_file

from vividmed_viewer.cli.main import main
from vividmed_viewer.io import load_image, save_nifti


def info(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(["info", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_info_on_a_series_folder(
    capsys: pytest.CaptureFixture[str], plain_series: WrittenSeries
) -> None:
    code, out, _ = info(capsys, str(plain_series.folder))
    assert code == 0
    assert "Series CT 'plain': 12 file(s), 12 frame(s)" in out
    assert "28×24×12 voxels, 0.7×0.8×2 mm (source: PixelSpacing)" in out
    assert "orientation: x R→L, y A→P, z I→S" in out
    assert "window/level: W 400 L 40 (header)" in out
    assert "values: HU" in out
    assert "(opens by default)" in out  # the only image series


def test_info_json_lists_warnings_and_non_images(
    capsys: pytest.CaptureFixture[str], missing_slice_series: WrittenSeries, tmp_path: Path
) -> None:
    folder = tmp_path / "with-report"
    shutil.copytree(missing_slice_series.folder, folder)
    shutil.copy(get_testdata_file("reportsi.dcm"), folder / "report.dcm")
    code, out, _ = info(capsys, str(folder), "--json")
    assert code == 0
    described = json.loads(out)
    assert described["format"] == "DICOM"
    series = [s for study in described["studies"] for s in study["series"]]
    assert len(series) == 1 and series[0]["size"] == [28, 24, 12]
    assert any("missing slice" in w for w in series[0]["warnings"])
    non_image = [s for study in described["studies"] for s in study["non_image"]]
    assert [s["modality"] for s in non_image] == ["SR"]
    code, text, _ = info(capsys, str(folder))
    assert "Non-image objects (listed, not shown):" in text and "SR " in text
    assert "warning: missing slice" in text


def test_info_names_corrupt_files(
    capsys: pytest.CaptureFixture[str], corrupt_series: WrittenSeries
) -> None:
    _, out, _ = info(capsys, str(corrupt_series.folder))
    assert "warning: skipped" in out and "GARBAGE.dcm" in out


def test_info_on_radiograph_nifti_and_png(
    capsys: pytest.CaptureFixture[str], plain_series: WrittenSeries, tmp_path: Path
) -> None:
    _, out, _ = info(capsys, get_testdata_file("RG1_UNCR.dcm"))
    assert "Series CR" in out and "1841×1955 voxels, spacing unknown" in out
    volume = load_image(plain_series.folder)
    nifti = save_nifti(volume.voxels, volume.geometry, tmp_path / "ct.nii.gz")
    _, out, _ = info(capsys, str(nifti))
    assert "(NIfTI)" in out and "28×24×12 voxels, 0.7×0.8×2 mm (source: NIfTI header)" in out
    Image.fromarray(np.zeros((10, 20), dtype=np.uint8)).save(tmp_path / "x.png")
    _, out, _ = info(capsys, str(tmp_path / "x.png"))
    assert "(PNG/JPEG)" in out and "20×10 voxels, spacing unknown" in out


def test_info_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = info(capsys, str(tmp_path / "nope"))
    assert code == 1
    assert err.strip() == f"vividmed info: error: {tmp_path / 'nope'}: no such file or folder"
