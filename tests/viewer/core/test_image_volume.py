"""ImageVolume: validation, defaults and the facts a viewer shows."""

from __future__ import annotations

import numpy as np
import pytest

from vividmed_viewer.core import ImageVolume, ValidationError, WindowLevel


def test_two_dimensional_array_becomes_one_slice_radiograph() -> None:
    volume = ImageVolume(np.arange(12, dtype=np.uint16).reshape(3, 4), modality="cr")
    assert volume.shape == (1, 3, 4)
    assert volume.is_2d
    assert volume.modality == "CR"
    assert volume.describe().startswith("CR 4×3")


def test_default_window_spans_percentiles() -> None:
    voxels = np.linspace(-1000, 1000, 10000, dtype=np.float32).reshape(10, 10, 100)
    volume = ImageVolume(voxels)
    window = volume.display_window
    assert window.lower == pytest.approx(-998, abs=1)
    assert window.upper == pytest.approx(998, abs=1)


def test_window_apply_is_linear_and_clipped() -> None:
    window = WindowLevel(center=40, width=400)
    assert window.apply(np.array([-160, 40, 240, 1000])).tolist() == [0.0, 0.5, 1.0, 1.0]


@pytest.mark.parametrize(
    ("voxels", "message"),
    [
        (np.zeros((2, 2, 2, 2)), "2D or 3D"),
        (np.zeros((0, 3, 3)), "must not be empty"),
        (np.zeros((2, 2, 2), dtype=bool), "integers or floats"),
    ],
)
def test_invalid_voxels_are_rejected(voxels: np.ndarray, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ImageVolume(voxels)


def test_value_at_outside_names_the_index() -> None:
    volume = ImageVolume(np.zeros((2, 3, 4), dtype=np.int16))
    with pytest.raises(ValidationError, match=r"\(5, 0, 0\) is outside"):
        volume.value_at((5, 0, 0))


def test_marker_voxel_patient_position_round_trips() -> None:
    volume = ImageVolume(
        np.zeros((8, 8, 8), dtype=np.int16), spacing=(2, 1, 1), origin=(-4, -4, -8)
    )
    point = volume.index_to_patient([2, 3, 7])
    assert np.allclose(point, [3, -1, -4])
    assert np.allclose(volume.patient_to_index(point), [2, 3, 7])


def test_invalid_window_is_rejected() -> None:
    with pytest.raises(ValidationError, match="width must be > 0"):
        WindowLevel(center=0, width=0)
