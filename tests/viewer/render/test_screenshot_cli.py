"""``vividmed screenshot``: PNGs of radiographs and volumes with overlays, and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom.data
import pytest

from vividmed_viewer.cli.main import main
from vividmed_viewer.core import GroundedReport
from vividmed_viewer.io import save_nifti
from vividmed_viewer.render.offscreen import read_png
from vividmed_viewer.ui.sample_case import make_sample_case


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, GroundedReport]:
    folder = tmp_path_factory.mktemp("case")
    volume, report = make_sample_case()
    save_nifti(volume.voxels, volume.geometry, folder / "ct.nii.gz")
    report.save(folder / "report.json")
    return folder / "ct.nii.gz", folder / "report.json", report


def has_colour(frame: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    """Whether some pixel is close to ``colour`` after blending (a dominant-channel check)."""
    difference = np.abs(frame.astype(int) - np.asarray(colour)).sum(axis=-1)
    return bool(np.any(difference < tolerance))


@pytest.mark.parametrize("layout", ["2d", "mpr", "3d"])
def test_writes_a_png_with_overlays(
    layout: str,
    tmp_path: Path,
    case: tuple[Path, Path, GroundedReport],
    capsys: pytest.CaptureFixture[str],
) -> None:
    image, report_path, _ = case
    out = tmp_path / f"{layout}.png"
    code = main(
        [
            "screenshot",
            str(image),
            "--report",
            str(report_path),
            "--layout",
            layout,
            "--highlight",
            "nodule",
            "--size",
            "320x240",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out)
    frame = read_png(out)
    assert frame.shape == (240, 320, 3)
    assert frame.std() > 10  # not blank
    colourful = np.abs(frame[..., 0].astype(int) - frame[..., 2]).max()
    assert colourful > 80  # coloured overlays, not only grey


def test_radiograph_defaults_to_one_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cr.png"
    image = pydicom.data.get_testdata_file("RG1_UNCR.dcm")
    assert main(["screenshot", image, "--size", "200x240", "--out", str(out)]) == 0
    frame = read_png(out)
    assert frame.shape == (240, 200, 3) and frame.std() > 10
    assert (
        main(["screenshot", image, "--layout", "mpr", "--size", "200x240", "--out", str(out)]) == 0
    )
    one_view = read_png(out)
    assert not np.all(one_view[:, 99:101] == (60, 60, 60))  # no 2×2 separator: one view
    capsys.readouterr()
    assert main(["screenshot", image, "--layout", "3d", "--out", str(out)]) == 1
    assert "a one-slice image has no 3D view" in capsys.readouterr().err


def test_errors_name_the_file_or_phrase(
    tmp_path: Path, case: tuple[Path, Path, GroundedReport], capsys: pytest.CaptureFixture[str]
) -> None:
    image, report_path, _ = case
    out = str(tmp_path / "x.png")
    missing = tmp_path / "nothing.dcm"
    assert main(["screenshot", str(missing), "--out", out]) == 1
    assert f"{missing}: image not found" in capsys.readouterr().err
    assert main(["screenshot", str(image), "--report", str(missing), "--out", out]) == 1
    assert f"{missing}: report not found" in capsys.readouterr().err
    code = main(
        [
            "screenshot",
            str(image),
            "--report",
            str(report_path),
            "--highlight",
            "zebra",
            "--out",
            out,
        ]
    )
    assert code == 1
    error = capsys.readouterr().err
    assert "no phrase matches 'zebra'" in error and str(report_path) in error
    assert main(["screenshot", str(image), "--highlight", "nodule", "--out", out]) == 1
    assert "needs a --report" in capsys.readouterr().err
    bad_folder = tmp_path / "no" / "x.png"
    assert main(["screenshot", str(image), "--out", str(bad_folder)]) == 1
    assert f"folder {bad_folder.parent} does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["screenshot", str(image), "--size", "big", "--out", out])
    assert "size must look like 800x600" in capsys.readouterr().err
