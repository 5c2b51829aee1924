"""Opening files and folders in the background with io's readers; errors name the file."""

from __future__ import annotations

from pathlib import Path

import pydicom.data
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume
from vividmed_viewer.io import write_dicom_series
from vividmed_viewer.ui.loading import LoadController
from vividmed_viewer.ui.workers import TaskRunner

Case = tuple[ImageVolume, GroundedReport]


def make_loader(qtbot: QtBot) -> LoadController:
    return LoadController(TaskRunner())


def test_folder_is_scanned_then_its_first_series_loaded(
    qtbot: QtBot, tmp_path: Path, sample_case: Case
) -> None:
    volume, _ = sample_case
    write_dicom_series(volume, tmp_path / "series", series_description="chest phantom")
    loader = make_loader(qtbot)
    found: list[object] = []
    loader.studies_found.connect(lambda studies, path, shown: found.append((studies, path, shown)))
    with qtbot.waitSignal(loader.volume_loaded, timeout=30_000) as loaded:
        loader.open_path(tmp_path)
    studies, path, shown = found[0]  # type: ignore[misc]
    assert path == str(tmp_path) and shown
    assert studies[0].series[0].description == "chest phantom"
    image = loaded.args[0]
    assert image.shape == volume.shape
    assert abs(image.voxels.astype(float) - volume.voxels).max() < 1.0
    assert loaded.args[1] == studies[0].series[0].key


def test_radiograph_file_loads_as_one_slice(qtbot: QtBot) -> None:
    path = Path(pydicom.data.get_testdata_file("RG1_UNCR.dcm"))
    loader = make_loader(qtbot)
    with qtbot.waitSignal(loader.volume_loaded, timeout=60_000) as loaded:
        loader.open_path(path)
    image = loaded.args[0]
    assert image.is_2d and image.shape[1:] == (1955, 1841)
    assert image.invert_for_display  # MONOCHROME1
    assert loaded.args[1] == str(path)


def test_bad_file_and_missing_path_fail_with_their_names(qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "notes.dcm"
    bad.write_text("this is not an image")
    loader = make_loader(qtbot)
    with qtbot.waitSignal(loader.failed, timeout=10_000) as failed:
        loader.open_path(bad)
    assert failed.args[0] == str(bad)
    assert str(bad) in str(failed.args[1])
    with qtbot.waitSignal(loader.failed, timeout=10_000) as failed:
        loader.open_path(tmp_path / "missing")
    assert str(failed.args[1]) == f"{tmp_path / 'missing'}: no such file or folder"
