"""Series written with our DICOM writer: shuffled, gapped, corrupt, mixed, oblique, thin/thick."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from vividmed_viewer.core import ImageVolume, WindowLevel
from vividmed_viewer.io import write_dicom_series

MARKER_INDEX = (5, 9, 13)  # (z, y, x)
MARKER_VALUE = 1500


@dataclass
class WrittenSeries:
    folder: Path
    volume: ImageVolume
    files: list[Path]

    @property
    def marker_patient(self) -> np.ndarray:
        return self.volume.index_to_patient(MARKER_INDEX)


def phantom_volume(
    slices: int = 12,
    spacing: tuple[float, float, float] = (2.0, 0.8, 0.7),
    direction: np.ndarray | None = None,
    origin: tuple[float, float, float] = (-20.0, -30.0, 100.0),
    size: tuple[int, int] = (24, 28),
) -> ImageVolume:
    """A small CT: air around a water box, a bone marker voxel at MARKER_INDEX."""
    voxels = np.full((slices, *size), -1000, dtype=np.int16)
    voxels[:, 4:20, 4:24] = 40
    voxels[:, 6:8, 6:8] = -500
    if slices > MARKER_INDEX[0]:
        voxels[MARKER_INDEX] = MARKER_VALUE
    kwargs = {} if direction is None else {"direction": direction}
    return ImageVolume(
        voxels,
        spacing=spacing,
        origin=origin,
        modality="CT",
        window=WindowLevel(40, 400),
        **kwargs,
    )


def rotation(axis: int, degrees: float) -> np.ndarray:
    """A rotation matrix about an LPS axis."""
    angle = np.radians(degrees)
    c, s = np.cos(angle), np.sin(angle)
    matrices = {
        0: np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        1: np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        2: np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }
    return matrices[axis]


AXIAL = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
OBLIQUE = rotation(2, 17.0) @ rotation(0, 25.0) @ AXIAL


def write(folder: Path, volume: ImageVolume, **kwargs: object) -> WrittenSeries:
    files = write_dicom_series(volume, folder, **kwargs)  # type: ignore[arg-type]
    return WrittenSeries(folder, volume, files)


@pytest.fixture(scope="session")
def plain_series(tmp_path_factory: pytest.TempPathFactory) -> WrittenSeries:
    return write(tmp_path_factory.mktemp("plain"), phantom_volume(), series_description="plain")


@pytest.fixture(scope="session")
def shuffled_series(tmp_path_factory: pytest.TempPathFactory) -> WrittenSeries:
    """File names and InstanceNumbers in random order: only positions give the order."""
    written = write(
        tmp_path_factory.mktemp("shuffled"), phantom_volume(), file_name_pattern="{sop_uid}.dcm"
    )
    numbers = list(range(1, len(written.files) + 1))
    random.Random(4).shuffle(numbers)
    for path, number in zip(written.files, numbers, strict=True):
        dataset = pydicom.dcmread(path)
        dataset.InstanceNumber = number
        dataset.save_as(path)
    return written


@pytest.fixture(scope="session")
def missing_slice_series(tmp_path_factory: pytest.TempPathFactory) -> WrittenSeries:
    written = write(tmp_path_factory.mktemp("missing"), phantom_volume())
    written.files[8].unlink()
    return written


@pytest.fixture(scope="session")
def corrupt_series(tmp_path_factory: pytest.TempPathFactory) -> WrittenSeries:
    """One file truncated inside its pixels, one with a DICOM preamble and garbage after it."""
    written = write(tmp_path_factory.mktemp("corrupt"), phantom_volume())
    truncated = written.files[3]
    truncated.write_bytes(truncated.read_bytes()[:-400])
    garbage = written.folder / "GARBAGE.dcm"
    garbage.write_bytes(b"\0" * 128 + b"DICM" + bytes(range(256)) * 4)
    (written.folder / "README.txt").write_text("exported by a CD burner\n")
    return written


@pytest.fixture(scope="session")
def mixed_folder(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, WrittenSeries, WrittenSeries]:
    """Two series (8 and 12 slices) of one study written into one folder."""
    folder = tmp_path_factory.mktemp("mixed")
    study = generate_uid()
    small = write(
        folder,
        phantom_volume(8, spacing=(3.0, 0.8, 0.7)),
        file_name_pattern="A{number:03d}.dcm",
        series_description="small",
        study_instance_uid=study,
    )
    large = write(
        folder,
        phantom_volume(12),
        file_name_pattern="B{number:03d}.dcm",
        series_description="large",
        study_instance_uid=study,
    )
    return folder, small, large


@pytest.fixture(scope="session")
def oblique_series(tmp_path_factory: pytest.TempPathFactory) -> WrittenSeries:
    return write(tmp_path_factory.mktemp("oblique"), phantom_volume(direction=OBLIQUE))


@pytest.fixture(scope="session")
def duplicate_series(tmp_path_factory: pytest.TempPathFactory) -> WrittenSeries:
    """A copy of slice 4 under a new SOPInstanceUID (same position)."""
    written = write(tmp_path_factory.mktemp("duplicate"), phantom_volume())
    dataset = pydicom.dcmread(written.files[4])
    dataset.SOPInstanceUID = generate_uid()
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    dataset.InstanceNumber = 99
    dataset.save_as(written.folder / "ZZ_copy.dcm")
    return written
