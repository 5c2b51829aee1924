"""Every DICOM file the series and radiograph writers make passes dciodvfy with no error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from vividmed_viewer.core import ImageVolume
from vividmed_viewer.io import write_dicom_radiograph, write_dicom_series

pytestmark = pytest.mark.skipif(
    shutil.which("dciodvfy") is None, reason="dciodvfy (Debian dicom3tools) is not installed"
)


def dciodvfy_errors(path: Path) -> list[str]:
    result = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    return [line for line in (result.stdout + result.stderr).splitlines() if "Error" in line]


def volume(modality: str, slices: int) -> ImageVolume:
    voxels = np.random.default_rng(3).integers(-900, 900, (slices, 24, 20)).astype(np.int16)
    return ImageVolume(voxels, spacing=(3.0, 0.8, 0.7), modality=modality)


@pytest.mark.parametrize("modality", ["CT", "MR"])
def test_series_files_validate(tmp_path: Path, modality: str) -> None:
    paths = write_dicom_series(volume(modality, 3), tmp_path / modality)
    for path in (paths[0], paths[-1]):
        assert dciodvfy_errors(path) == [], path


def test_radiograph_validates(tmp_path: Path) -> None:
    path = write_dicom_radiograph(volume("CR", 1), tmp_path / "cr.dcm")
    assert dciodvfy_errors(Path(path)) == []
