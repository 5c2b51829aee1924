"""Fixtures for the batch tests: the tiny model (loaded once) and phantom cases on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vividmed_viewer.core import ImageVolume
from vividmed_viewer.io import save_nifti
from vividmed_viewer.ui.sample_case import make_phantom


@pytest.fixture(scope="session")
def tiny_pipeline() -> Any:
    """The tiny model (untrained weights, real forward passes) on the CPU."""
    from model.pipeline import VividMedPipeline

    return VividMedPipeline.from_pretrained("tiny", device="cpu")


@pytest.fixture(scope="session")
def phantom() -> ImageVolume:
    volume, _ = make_phantom()
    return volume


@pytest.fixture()
def case_folder(tmp_path: Path, phantom: ImageVolume) -> Path:
    """A folder with three NIfTI cases: a, b, c."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("a", "b", "c"):
        save_nifti(phantom.voxels, phantom.geometry, folder / f"{name}.nii.gz")
    return folder
