"""One folder opens one series everywhere: the viewer, ``vividmed info``, ``infer``, load_image.

The folder holds a 3-file scout listed first (by series description and file name) and a
10-file series: every entry point must pick the 10-file series.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import generate_uid
from pytestqt.qtbot import QtBot

from vividmed_viewer.cli.main import main
from vividmed_viewer.core import ImageVolume
from vividmed_viewer.inference.cases import find_cases
from vividmed_viewer.io import load_image, scan_path, write_dicom_series
from vividmed_viewer.ui.loading import LoadController
from vividmed_viewer.ui.workers import TaskRunner


def ct(slices: int) -> ImageVolume:
    voxels = np.full((slices, 16, 16), -1000, dtype=np.int16)
    voxels[:, 4:12, 4:12] = 40
    return ImageVolume(voxels, spacing=(2.0, 0.8, 0.8), modality="CT")


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    """``batch/study/`` with the scout (A001–A003) and the main series (B001–B010)."""
    study_folder = tmp_path / "batch" / "study"
    study = generate_uid()
    for name, slices in (("A", 3), ("B", 10)):
        write_dicom_series(
            ct(slices),
            study_folder,
            series_description=f"{name} {'scout' if slices == 3 else 'axial'}",
            file_name_pattern=f"{name}{{number:03d}}.dcm",
            study_instance_uid=study,
        )
    listed = [s.description for s in scan_path(study_folder)[0].image_series]
    assert listed == ["A scout", "B axial"]
    return tmp_path / "batch"


def test_viewer_info_and_load_image_open_the_same_series(
    qtbot: QtBot, batch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = batch / "study"
    # the viewer: `vividmed-viewer DIR` scans the folder, then loads one series
    loader = LoadController(TaskRunner())
    with qtbot.waitSignal(loader.volume_loaded, timeout=30_000) as loaded:
        loader.open_path(folder)
    viewer_volume: ImageVolume = loaded.args[0]
    assert viewer_volume.shape[0] == 10
    assert viewer_volume.metadata.series_description == "B axial"
    # load_image (and so `vividmed screenshot`, the demo, the batch runner)
    assert load_image(folder).metadata.series_instance_uid == (
        viewer_volume.metadata.series_instance_uid
    )
    # `vividmed info DIR` marks the series that opens
    assert main(["info", str(folder), "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    (opens,) = [s for s in described["studies"][0]["series"] if s["opens_by_default"]]
    assert opens["series_instance_uid"] == viewer_volume.metadata.series_instance_uid


def test_infer_runs_the_study_folder_on_the_same_series(batch: Path, tmp_path: Path) -> None:
    """The study folder is one case; its bundle is of the 10-slice series (tiny model)."""
    (case,) = find_cases(batch)
    assert case.path == batch / "study" and case.series_key is None
    out = tmp_path / "out"
    code = main(
        [
            "infer",
            str(batch),
            "--out",
            str(out),
            "--config",
            "tiny",
            "--max-new-tokens",
            "2",
            "--device",
            "cpu",
            "--no-progress",
        ]
    )
    assert code == 0
    boxes = json.loads((out / case.case_id / "boxes.json").read_text())  # has the image grid
    assert boxes["geometry"]["shape"][0] == 10
