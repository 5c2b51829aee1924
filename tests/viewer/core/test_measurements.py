"""Measurement values against hand-computed ones: mm with known spacing, px without."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vividmed_viewer.core import ImageVolume, ValidationError
from vividmed_viewer.core.measurement_values import measure, roi_mask
from vividmed_viewer.core.measurements import Measurement, MeasurementKind, outline
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import Change, MeasurementsChanged

LENGTH, ANGLE = MeasurementKind.LENGTH, MeasurementKind.ANGLE
ELLIPSE, RECTANGLE = MeasurementKind.ELLIPSE, MeasurementKind.RECTANGLE


def ct(spacing: tuple[float, float, float] = (2.0, 0.5, 0.8), known: bool = True) -> ImageVolume:
    """A CT volume whose voxel value is 100·y + x (HU) on every slice."""
    y, x = np.mgrid[0:20, 0:30]
    plane = (100 * y + x).astype(np.int16)
    return ImageVolume(
        np.repeat(plane[None], 6, axis=0), spacing=spacing, modality="CT", spacing_known=known
    )


def test_length_is_in_mm_with_known_spacing_and_px_without() -> None:
    line = Measurement(LENGTH, ((2, 1, 3), (2, 5, 6)), slice_axis=0)
    known = measure(line, ct())
    # Δy = 4 rows × 0.5 mm, Δx = 3 columns × 0.8 mm.
    assert known.length == pytest.approx(math.hypot(4 * 0.5, 3 * 0.8))
    assert known.length_unit == "mm" and known.summary() == "3.1 mm"
    unknown = measure(line, ct(known=False))
    assert unknown.length == pytest.approx(5.0) and unknown.length_unit == "px"
    assert unknown.summary() == "5.0 px"


def test_angle_uses_millimetres_so_non_square_pixels_count() -> None:
    # Arms of 4 rows and 4 columns: 90° in any spacing; the diagonal shows the spacing.
    right = Measurement(ANGLE, ((1, 5, 1), (1, 1, 1), (1, 1, 5)), slice_axis=0)
    assert measure(right, ct()).angle == pytest.approx(90.0)
    diagonal = Measurement(ANGLE, ((1, 5, 1), (1, 1, 1), (1, 5, 5)), slice_axis=0)
    expected = math.degrees(math.atan2(4 * 0.8, 4 * 0.5))  # the arm to (5, 5) leans to x
    assert measure(diagonal, ct()).angle == pytest.approx(expected)
    assert measure(diagonal, ct(known=False)).angle == pytest.approx(45.0)
    assert measure(diagonal, ct()).summary() == f"{expected:.1f}°"
    folded = Measurement(ANGLE, ((1, 1, 1), (1, 1, 1), (1, 5, 5)), slice_axis=0)
    assert measure(folded, ct()).angle is None


def test_rectangle_statistics_match_numpy_over_the_same_pixels() -> None:
    volume = ct()
    # Corners on pixel edges: rows 2..5 and columns 3..8 are inside (4 × 6 pixels).
    box = Measurement(RECTANGLE, ((4, 1.5, 2.5), (4, 5.5, 8.5)), slice_axis=0)
    values = measure(box, volume)
    expected = volume.voxels[4, 2:6, 3:9].astype(float)
    assert values.pixel_count == 24
    assert values.mean == pytest.approx(expected.mean())
    assert values.sd == pytest.approx(expected.std())
    assert (values.minimum, values.maximum) == (203.0, 508.0)
    assert values.area == pytest.approx((4 * 0.5) * (6 * 0.8))
    assert (values.value_unit, values.area_unit) == ("HU", "mm²")
    unknown = measure(box, ct(known=False))
    assert unknown.area == pytest.approx(24.0) and unknown.area_unit == "px²"
    assert unknown.mean == pytest.approx(expected.mean())


def test_ellipse_takes_the_pixels_whose_centres_are_inside() -> None:
    volume = ImageVolume(np.arange(11 * 11, dtype=float).reshape(1, 11, 11), modality="DX")
    circle = Measurement(ELLIPSE, ((0, 1, 1), (0, 9, 9)), slice_axis=0)  # centre 5, radius 4
    rows, columns = np.mgrid[0:11, 0:11]
    inside = (rows - 5) ** 2 + (columns - 5) ** 2 <= 16
    values = measure(circle, volume)
    assert values.pixel_count == int(inside.sum())
    assert values.mean == pytest.approx(volume.voxels[0][inside].mean())
    assert values.sd == pytest.approx(volume.voxels[0][inside].std())
    assert values.area == pytest.approx(math.pi * 16)
    assert values.value_unit == "raw" and values.summary().endswith("mm²")
    _, ys, xs = roi_mask(circle, volume.shape)
    assert sorted(zip(ys.tolist(), xs.tolist(), strict=True)) == sorted(
        zip(*np.nonzero(inside), strict=True)
    )
    names = [q.name for q in values.quantities()]
    assert names == ["Mean", "Standard deviation", "Minimum", "Maximum", "Area"]
    assert values.quantities()[-1].ucum == "mm2"


def test_roi_in_a_coronal_plane_and_outside_the_image() -> None:
    volume = ct()
    # Drawn in a coronal view: the slice axis is y (row 3), the plane is z × x.
    coronal = Measurement(RECTANGLE, ((1, 3, 2), (3, 3, 4)), slice_axis=1)
    values = measure(coronal, volume)
    assert values.pixel_count == 9 and values.mean == pytest.approx(303.0)
    assert values.area == pytest.approx((2 * 2.0) * (2 * 0.8))
    away = Measurement(RECTANGLE, ((1, 3, 40), (3, 3, 50)), slice_axis=1)
    assert measure(away, volume).pixel_count == 0 and measure(away, volume).mean is None


def test_measurements_validate_their_points() -> None:
    with pytest.raises(ValidationError, match="needs 3"):
        Measurement(ANGLE, ((0, 0, 0), (0, 1, 1)))
    with pytest.raises(ValidationError, match="one slice"):
        Measurement(LENGTH, ((0, 0, 0), (1, 1, 1)))
    with pytest.raises(ValidationError, match="share their index"):
        Measurement(LENGTH, ((0, 0, 0), (1, 0, 1)), slice_axis=0)
    with pytest.raises(ValidationError, match="unknown measurement kind"):
        Measurement("spiral", ((0, 0, 0), (0, 1, 1)))  # type: ignore[arg-type]
    line = Measurement(LENGTH, ((3, 2, 2), (3, 2, 9)), slice_axis=1)  # shares z and y
    assert line.axis == 1 and line.slice_index == 2 and line.lies_on(1, 2)
    assert not line.lies_on(0, 3)
    moved = line.moved(((3, 2, 1), (3, 2, 9)))
    assert moved.measurement_id == line.measurement_id and moved.axis == 1


def test_outlines_close_the_rois() -> None:
    box = outline(Measurement(RECTANGLE, ((0, 1, 2), (0, 5, 8))))
    assert box.tolist() == [[0, 1, 2], [0, 5, 2], [0, 5, 8], [0, 1, 8], [0, 1, 2]]
    ring = outline(Measurement(ELLIPSE, ((0, 1, 2), (0, 5, 8))), segments=32)
    assert len(ring) == 33 and np.allclose(ring[0], ring[-1])
    radii = ((ring[:, 1] - 3) / 2) ** 2 + ((ring[:, 2] - 5) / 3) ** 2
    assert np.allclose(radii, 1.0)


def test_the_session_keeps_measurements_per_image_and_announces_changes() -> None:
    session = Session()
    image = session.open_image(ct())
    seen: list[MeasurementsChanged] = []
    session.events.measurements.connect(seen.append)
    line = session.add_measurement(image.image_id, Measurement(LENGTH, ((1, 1, 1), (1, 1, 5))))
    session.update_measurement(image.image_id, line.relabelled("aorta"))
    assert image.measurements[line.measurement_id].label == "aorta"
    session.remove_measurement(image.image_id, line.measurement_id)
    assert [e.change for e in seen] == [Change.ADDED, Change.CHANGED, Change.REMOVED]
    assert not image.measurements
