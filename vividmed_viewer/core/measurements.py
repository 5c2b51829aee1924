"""Measurements a reader draws on an image: length, angle, ellipse and rectangle ROIs.

A measurement is plain data on the image's own voxel grid: its control points are
continuous voxel indices ``(z, y, x)`` in the plane of the view it was drawn in, so it
is exact on any image, with or without known pixel spacing. Values (mm or px, HU
statistics) are computed from the image by
:func:`~vividmed_viewer.core.measurement_values.measure` and never stored as truth.
The session keeps them per image (:mod:`vividmed_viewer.core.session`); the SR export
writes them as TID 1500 measurements.

Control points by kind: a length has its two ends; an angle has one end, the vertex,
then the other end; an ellipse or rectangle ROI has two opposite corners of its bounds.
All points lie in one array slice: ``slice_axis`` is the array axis normal to the view
(0 for an axial view of a standard series, 0 for a radiograph) and every point has the
same coordinate along it.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import ValidationError

Point = tuple[float, float, float]
ELLIPSE_SEGMENTS = 64  # an ellipse outline is drawn as this many straight pieces
SLICE_TOLERANCE = 1e-6  # how far points may differ along the slice axis and still share it


class MeasurementKind(StrEnum):
    LENGTH = "length"
    ANGLE = "angle"
    ELLIPSE = "ellipse"
    RECTANGLE = "rectangle"


#: How many control points each kind has (the ROIs: two opposite corners of the bounds).
POINT_COUNTS = {
    MeasurementKind.LENGTH: 2,
    MeasurementKind.ANGLE: 3,
    MeasurementKind.ELLIPSE: 2,
    MeasurementKind.RECTANGLE: 2,
}
ROI_KINDS = frozenset({MeasurementKind.ELLIPSE, MeasurementKind.RECTANGLE})
#: What lists and menus call each kind.
KIND_LABELS = {
    MeasurementKind.LENGTH: "Length",
    MeasurementKind.ANGLE: "Angle",
    MeasurementKind.ELLIPSE: "Ellipse ROI",
    MeasurementKind.RECTANGLE: "Rectangle ROI",
}


def new_measurement_id() -> str:
    return f"measurement-{uuid.uuid4().hex[:10]}"


def _shared_axis(points: tuple[Point, ...]) -> int | None:
    """The first array axis along which every point has the same coordinate."""
    for axis in range(3):
        values = [p[axis] for p in points]
        if max(values) - min(values) <= SLICE_TOLERANCE:
            return axis
    return None


@dataclass(frozen=True)
class Measurement:
    """One drawn measurement: kind, control points (voxel indices), the view it lies in.

    Parameters
    ----------
    kind:
        Length, angle, ellipse or rectangle.
    points:
        Continuous ``(z, y, x)`` voxel indices; see :data:`POINT_COUNTS` for how many.
    view:
        The name of the view it was drawn in ("axial", "coronal", "sagittal").
    label:
        The reader's own name for it (may be empty).
    slice_axis:
        The array axis normal to the drawing plane; found from the points when None (the
        first axis they share), so give it whenever the points may share two axes.
    """

    kind: MeasurementKind
    points: tuple[Point, ...]
    view: str = "axial"
    label: str = ""
    measurement_id: str = field(default_factory=new_measurement_id)
    slice_axis: int | None = None

    def __post_init__(self) -> None:
        try:
            kind = MeasurementKind(self.kind)
        except ValueError:
            allowed = ", ".join(k.value for k in MeasurementKind)
            raise ValidationError(
                f"unknown measurement kind {self.kind!r} (expected one of {allowed})"
            ) from None
        points = tuple(tuple(float(v) for v in p) for p in self.points)
        if len(points) != POINT_COUNTS[kind] or any(len(p) != 3 for p in points):
            raise ValidationError(
                f"a {kind.value} measurement needs {POINT_COUNTS[kind]} (z, y, x) points, "
                f"got {self.points!r}"
            )
        if not all(math.isfinite(v) for p in points for v in p):
            raise ValidationError(f"measurement points must be finite numbers, got {points!r}")
        typed_points: tuple[Point, ...] = tuple((p[0], p[1], p[2]) for p in points)
        axis = _shared_axis(typed_points) if self.slice_axis is None else int(self.slice_axis)
        if axis is None:
            raise ValidationError(
                f"the points of a {kind.value} measurement must lie in one slice, got {points!r}"
            )
        if axis not in (0, 1, 2):
            raise ValidationError(f"slice_axis must be 0, 1 or 2 (z, y, x), got {axis}")
        along = [p[axis] for p in typed_points]
        if max(along) - min(along) > SLICE_TOLERANCE:
            raise ValidationError(
                f"the points of a {kind.value} measurement must share their index along "
                f"axis {axis}, got {along}"
            )
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "points", typed_points)
        object.__setattr__(self, "slice_axis", axis)

    @property
    def axis(self) -> int:
        """The array axis normal to the measurement's plane (``slice_axis``, resolved)."""
        assert self.slice_axis is not None  # resolved in __post_init__
        return self.slice_axis

    @property
    def slice_index(self) -> int:
        """The index of the array slice the measurement lies in, along :attr:`axis`."""
        return round(self.points[0][self.axis])

    @property
    def in_plane_axes(self) -> tuple[int, int]:
        """The two array axes of the measurement's plane, in increasing order."""
        first, second = (a for a in range(3) if a != self.axis)
        return first, second

    @property
    def is_roi(self) -> bool:
        return self.kind in ROI_KINDS

    def lies_on(self, slice_axis: int, slice_index: int) -> bool:
        """Whether the measurement is drawn on array slice ``slice_index`` along ``slice_axis``."""
        return slice_axis == self.axis and slice_index == self.slice_index

    def centre(self) -> NDArray[np.float64]:
        """The (z, y, x) index the views go to: a length's middle, an angle's vertex,
        an ROI's centre."""
        points = np.asarray(self.points, dtype=float)
        if self.kind is MeasurementKind.ANGLE:
            return points[1]
        return np.asarray(points.mean(axis=0), dtype=np.float64)

    def moved(self, points: tuple[Point, ...]) -> Measurement:
        """The same measurement (same id, same plane) with new control points."""
        return replace(self, points=points)

    def relabelled(self, label: str) -> Measurement:
        return replace(self, label=label)


def outline(measurement: Measurement, segments: int = ELLIPSE_SEGMENTS) -> NDArray[np.float64]:
    """The polyline that draws a measurement, as ``(n, 3)`` continuous (z, y, x) indices.

    A length is its two ends; an angle runs end → vertex → end; an ROI is closed (its
    first point repeated last): the rectangle's four corners, or ``segments`` pieces of
    the ellipse inscribed in the bounds.
    """
    points = np.asarray(measurement.points, dtype=float)
    if not measurement.is_roi:
        return points
    first, second = measurement.in_plane_axes
    corner_a, corner_b = points
    if measurement.kind is MeasurementKind.RECTANGLE:
        corners = np.repeat(corner_a[None], 5, axis=0)
        corners[[1, 2], first] = corner_b[first]
        corners[[2, 3], second] = corner_b[second]
        return corners
    centre = (corner_a + corner_b) / 2.0
    radius_first = abs(corner_b[first] - corner_a[first]) / 2.0
    radius_second = abs(corner_b[second] - corner_a[second]) / 2.0
    angles = np.linspace(0.0, 2.0 * np.pi, max(int(segments), 4) + 1)
    ring = np.repeat(centre[None], angles.size, axis=0)
    ring[:, first] += radius_first * np.cos(angles)
    ring[:, second] += radius_second * np.sin(angles)
    ring[-1] = ring[0]  # closed exactly, not just to rounding
    return ring
