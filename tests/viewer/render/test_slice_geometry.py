"""Slice axes: which array axis shows where, for axis-aligned, flipped and one-slice grids."""

from __future__ import annotations

import numpy as np
import pydicom.data
import pytest

from vividmed_viewer.core import GridGeometry, ValidationError
from vividmed_viewer.io import load_image
from vividmed_viewer.render.slice_geometry import edge_letters, slice_axes


@pytest.mark.parametrize("orientation", ["axial", "coronal", "sagittal"])
def test_extract_agrees_with_pixel_to_index(orientation: str) -> None:
    geometry = GridGeometry((5, 6, 7), spacing=(3.0, 2.0, 1.0))
    array = np.arange(5 * 6 * 7).reshape(5, 6, 7)
    axes = slice_axes(geometry, orientation)
    plane = axes.extract(array, 2)
    width, height = axes.image_size
    assert plane.shape == (height, width)
    for pixel_v in range(height):
        for pixel_u in range(width):
            z, y, x = axes.pixel_to_index(pixel_u, pixel_v, 2).astype(int)
            assert plane[pixel_v, pixel_u] == array[z, y, x]
            assert axes.index_to_pixel((z, y, x)) == (pixel_u, pixel_v)


def test_sagittal_acquisition_still_shows_axial_in_the_axial_view() -> None:
    # Slices along L, rows along -S (down), columns along P: a sagittal series.
    direction = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
    geometry = GridGeometry((8, 9, 10), direction=direction)
    axial = slice_axes(geometry, "axial")
    assert axial.slice_axis == 1  # rows run along S
    assert edge_letters(geometry, axial) == {"left": "R", "right": "L", "top": "A", "bottom": "P"}
    sagittal = slice_axes(geometry, "sagittal")
    assert sagittal.slice_axis == 0
    assert edge_letters(geometry, sagittal)["top"] == "S"


def test_radiograph_is_shown_as_stored_with_its_letters() -> None:
    volume = load_image(pydicom.data.get_testdata_file("RG1_UNCR.dcm"))
    axes = slice_axes(volume.geometry, "axial")
    assert (axes.slice_axis, axes.right_axis, axes.up_axis) == (0, 2, 1)
    assert axes.up_sign == -1  # row 0 at the top
    letters = edge_letters(volume.geometry, axes)
    assert set(letters) == {"left", "right", "top", "bottom"} and all(letters.values())


def test_unknown_orientation_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown view orientation 'oblique'"):
        slice_axes(GridGeometry((2, 2, 2)), "oblique")
