"""Geometry: index ↔ patient maps, orientation letters, DICOM orientation."""

from __future__ import annotations

import numpy as np
import pytest

from vividmed_viewer.core import GridGeometry, ValidationError, direction_from_dicom


def test_axial_default_maps_x_to_patient_left() -> None:
    geometry = GridGeometry((10, 20, 30), spacing=(2.5, 0.7, 0.7), origin=(-100, -50, 30))
    point = geometry.index_to_patient([4, 2, 3])
    # x (column) → L, y (row) → P, z (slice) → S
    assert np.allclose(point, [-100 + 3 * 0.7, -50 + 2 * 0.7, 30 + 4 * 2.5])
    assert geometry.axis_letters(2) == ("R", "L")
    assert geometry.axis_letters(1) == ("A", "P")
    assert geometry.axis_letters(0) == ("I", "S")


def test_patient_to_index_inverts_index_to_patient_for_oblique_grid() -> None:
    angle = np.deg2rad(20)
    row = [np.cos(angle), np.sin(angle), 0.0]
    column = [-np.sin(angle), np.cos(angle), 0.0]
    direction = direction_from_dicom(row + column)
    geometry = GridGeometry(
        (5, 6, 7), spacing=(3.0, 0.5, 0.8), origin=(10, 20, 30), direction=direction
    )
    indices = np.array([[0, 0, 0], [4.0, 5.0, 6.0], [1.5, 2.25, 3.75]])
    assert np.allclose(geometry.patient_to_index(geometry.index_to_patient(indices)), indices)
    assert np.allclose(geometry.affine @ geometry.inverse_affine, np.eye(4))


def test_direction_from_dicom_orders_columns_z_y_x() -> None:
    direction = direction_from_dicom([1, 0, 0, 0, 1, 0])
    assert np.allclose(direction[:, 2], [1, 0, 0])  # x: row direction
    assert np.allclose(direction[:, 1], [0, 1, 0])  # y: column direction
    assert np.allclose(direction[:, 0], [0, 0, 1])  # z: normal


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape": (0, 4, 4)}, "positive sizes"),
        ({"shape": (2, 4, 4), "spacing": (1, 0, 1)}, "spacing must be > 0"),
        ({"shape": (2, 4, 4), "spacing": (1, float("nan"), 1)}, "finite"),
        ({"shape": (2, 4, 4), "direction": np.eye(3) * 2}, "unit vectors"),
        ({"shape": (2, 4, 4), "direction": np.ones((3, 3)) / np.sqrt(3)}, "orthogonal"),
    ],
)
def test_invalid_geometry_is_rejected_with_reason(kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        GridGeometry(**kwargs)


def test_geometry_json_round_trip() -> None:
    geometry = GridGeometry((3, 4, 5), spacing=(1.0, 2.0, 3.0), origin=(1, 2, 3))
    assert GridGeometry.from_dict(geometry.to_dict()).same_grid(geometry)


def test_same_grid_ignores_the_slice_axis_of_a_single_slice() -> None:
    film = GridGeometry((1, 4, 5), (1.0, 0.5, 0.5))
    thick = GridGeometry((1, 4, 5), (2.4, 0.5, 0.5))
    assert film.same_grid(thick)
    assert not film.same_grid(GridGeometry((1, 4, 5), (1.0, 0.5, 0.6)))
    assert not film.same_grid(GridGeometry((1, 4, 5), (1.0, 0.5, 0.5), origin=(0, 0, 1)))
    stack = GridGeometry((2, 4, 5), (1.0, 0.5, 0.5))
    assert not stack.same_grid(GridGeometry((2, 4, 5), (2.4, 0.5, 0.5)))
