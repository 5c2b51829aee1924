"""Units of values (HU, raw, stated) and of positions (mm, or px without pixel spacing)."""

from __future__ import annotations

import numpy as np
import pytest

from vividmed_viewer.core import ImageVolume, VolumeMetadata
from vividmed_viewer.core.cursor_position import format_cursor_position
from vividmed_viewer.core.units import format_value, length_unit, value_units


@pytest.mark.parametrize(
    ("modality", "stated", "units"),
    [
        ("CT", "raw", "HU"),  # CT values are Hounsfield units whatever the metadata says
        ("ct", "US", "HU"),
        ("MR", "US", "raw"),  # DICOM RescaleType "US" means unspecified
        ("MR", "", "raw"),
        ("MR", None, "raw"),
        ("CR", "OD", "OD"),  # a stated unit is shown as stated
        ("OT", "HU", "HU"),
    ],
)
def test_value_units_rule(modality: str, stated: str | None, units: str) -> None:
    assert value_units(modality, stated) == units


def test_a_ct_volume_reads_in_hu_even_with_default_metadata() -> None:
    ct = ImageVolume(np.zeros((2, 3, 3), dtype=np.int16), modality="CT")
    assert ct.metadata.units == "raw" and ct.value_units == "HU"
    mr = ImageVolume(np.zeros((2, 3, 3)), modality="MR", metadata=VolumeMetadata(units="US"))
    assert mr.value_units == "raw"


def test_values_read_with_their_units() -> None:
    assert format_value(-600.0, "HU") == "−600 HU"
    assert format_value(1234, "raw") == "value 1234"
    assert format_value(7, "US") == "value 7"
    assert format_value(0.2503, "raw") == "value 0.2503"  # small-range images keep digits
    assert format_value(1.25, "OD") == "1.25 OD"
    assert format_value(None, "HU") == ""


def test_positions_are_in_mm_when_the_spacing_is_known() -> None:
    volume = ImageVolume(
        np.zeros((4, 5, 6), dtype=np.int16),
        spacing=(2.0, 0.5, 0.5),
        origin=(-10.0, 3.0, -20.0),
        modality="CT",
    )
    x, y, z = volume.index_to_patient([1, 2, 3])
    assert (x, y, z) == pytest.approx((-8.5, 4.0, -18.0))
    assert format_cursor_position(volume, (1, 2, 3)) == "R 8.5  P 4.0  I 18.0 mm"
    assert length_unit(volume.spacing_known) == "mm"


def test_positions_are_in_pixels_without_pixel_spacing() -> None:
    radiograph = ImageVolume(np.zeros((20, 30), dtype=np.uint8), spacing_known=False)
    assert format_cursor_position(radiograph, (0, 12, 7)) == "x 7  y 12 px"
    stack = ImageVolume(np.zeros((3, 20, 30), dtype=np.uint8), spacing_known=False)
    assert format_cursor_position(stack, (2, 12, 7)) == "x 7  y 12  z 2 px"
    assert length_unit(stack.spacing_known) == "px"
