"""What a measurement measures on its image: length, angle, ROI statistics and area.

Qt-free and computed on demand from the image's voxels and geometry, never stored:

- lengths in mm where the image's pixel spacing is known, else in pixels (index units);
- angles in degrees (in mm space when the spacing is known, so non-square pixels count);
- ROI statistics (mean, SD, minimum, maximum) of the pixels of the measurement's slice
  whose centres lie inside the ellipse or rectangle (edges included), in HU for CT,
  else in the image's own units; the SD is the population SD (numpy's default,
  ``ddof=0``); the area is the shape's geometric area (π·a·b for the ellipse, not the
  pixel count times the pixel area), in mm² or px².

:meth:`MeasurementValues.quantities` lists the values with their UCUM units, as a DICOM
SR (TID 1500) measurement group needs them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.measurements import Measurement, MeasurementKind
from vividmed_viewer.core.units import length_unit

# UCUM codes (DICOM SR unit codes, coding scheme "UCUM") of the units shown.
UCUM = {
    "mm": "mm",
    "px": "{pixels}",
    "mm²": "mm2",
    "px²": "{pixels}",
    "°": "deg",
    "HU": "[hnsf'U]",
    "raw": "1",
    "": "1",
}


@dataclass(frozen=True)
class Quantity:
    """One named value with its unit as shown and as a UCUM code."""

    name: str
    value: float
    unit: str

    @property
    def ucum(self) -> str:
        return UCUM.get(self.unit, "1")


@dataclass(frozen=True)
class MeasurementValues:
    """The values of one measurement on one image (None where a kind has no such value)."""

    kind: MeasurementKind
    length_unit: str  # "mm" or "px"
    area_unit: str  # "mm²" or "px²"
    value_unit: str  # "HU" for CT, else the image's units ("raw"); see core.units
    length: float | None = None
    angle: float | None = None
    area: float | None = None
    pixel_count: int | None = None
    mean: float | None = None
    sd: float | None = None
    minimum: float | None = None
    maximum: float | None = None

    def quantities(self) -> list[Quantity]:
        """The values that exist, in the order a report lists them."""
        named = [
            ("Length", self.length, self.length_unit),
            ("Angle", self.angle, "°"),
            ("Mean", self.mean, self.value_unit),
            ("Standard deviation", self.sd, self.value_unit),
            ("Minimum", self.minimum, self.value_unit),
            ("Maximum", self.maximum, self.value_unit),
            ("Area", self.area, self.area_unit),
        ]
        return [Quantity(name, value, unit) for name, value, unit in named if value is not None]

    def summary(self) -> str:
        """One line for lists: "23.4 mm", "45.0°", "40.2 ± 3.1 HU, 120 mm²"."""
        if self.kind is MeasurementKind.LENGTH:
            return _number(self.length, self.length_unit)
        if self.kind is MeasurementKind.ANGLE:
            return "—" if self.angle is None else f"{self.angle:.1f}°"
        area = _number(self.area, self.area_unit)
        if self.mean is None or self.sd is None:
            return f"no pixels, {area}"
        return f"{self.mean:.1f} ± {self.sd:.1f} {self.value_unit}, {area}"

    def lines(self) -> list[str]:
        """Several short lines for the label drawn next to the measurement."""
        if self.kind in (MeasurementKind.LENGTH, MeasurementKind.ANGLE):
            return [self.summary()]
        lines = []
        if self.mean is not None and self.sd is not None:
            lines.append(f"Mean {self.mean:.1f} SD {self.sd:.1f} {self.value_unit}")
        if self.minimum is not None and self.maximum is not None:
            lines.append(f"Min {self.minimum:.6g} Max {self.maximum:.6g}")
        lines.append(f"Area {_number(self.area, self.area_unit)}")
        return lines


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    digits = 1 if abs(value) < 1000 else 0
    return f"{value:.{digits}f} {unit}"


def _scale(volume: ImageVolume) -> np.ndarray:
    """Millimetres per index step along (z, y, x) where spacing is known, else ones (px)."""
    if volume.spacing_known:
        return np.asarray(volume.spacing, dtype=float)
    return np.ones(3)


def measure(measurement: Measurement, volume: ImageVolume) -> MeasurementValues:
    """The values of ``measurement`` on ``volume`` (see the module notes for units and rules)."""
    unit = length_unit(volume.spacing_known)
    units = (unit, f"{unit}²", volume.value_units)  # length, area and value units
    scale = _scale(volume)
    points = np.asarray(measurement.points, dtype=float) * scale
    kind = measurement.kind
    if kind is MeasurementKind.LENGTH:
        length = float(np.linalg.norm(points[1] - points[0]))
        return MeasurementValues(kind, *units, length=length)
    if kind is MeasurementKind.ANGLE:
        return MeasurementValues(kind, *units, angle=_angle(points[0], points[1], points[2]))
    first, second = measurement.in_plane_axes
    width = abs(points[1][first] - points[0][first])
    height = abs(points[1][second] - points[0][second])
    area = width * height
    if kind is MeasurementKind.ELLIPSE:
        area = math.pi * (width / 2.0) * (height / 2.0)
    values = volume.voxels[roi_mask(measurement, volume.shape)].astype(np.float64)
    if not values.size:
        return MeasurementValues(kind, *units, area=float(area), pixel_count=0)
    return MeasurementValues(
        kind,
        *units,
        area=float(area),
        pixel_count=int(values.size),
        mean=float(values.mean()),
        sd=float(values.std()),
        minimum=float(values.min()),
        maximum=float(values.max()),
    )


def _angle(end_a: np.ndarray, vertex: np.ndarray, end_b: np.ndarray) -> float | None:
    """The angle at ``vertex`` in degrees (None when an arm has no length)."""
    arm_a, arm_b = end_a - vertex, end_b - vertex
    norms = float(np.linalg.norm(arm_a) * np.linalg.norm(arm_b))
    if norms <= 1e-12:
        return None
    cosine = float(np.dot(arm_a, arm_b)) / norms
    return math.degrees(math.acos(min(1.0, max(-1.0, cosine))))


def roi_mask(measurement: Measurement, shape: tuple[int, int, int]) -> tuple[np.ndarray, ...]:
    """The pixels of the measurement's slice inside its ROI: (z, y, x) index arrays.

    Pixels whose centres lie inside the ellipse (or rectangle), edges included; pixels
    outside the image are left out.
    """
    first, second = measurement.in_plane_axes
    corner_a, corner_b = (np.asarray(p, dtype=float) for p in measurement.points)
    low = np.minimum(corner_a, corner_b)
    high = np.maximum(corner_a, corner_b)
    ranges = []
    for axis in (first, second):
        start = max(math.ceil(low[axis] - 1e-9), 0)
        stop = min(math.floor(high[axis] + 1e-9), shape[axis] - 1)
        ranges.append(np.arange(start, stop + 1))
    slice_index = measurement.slice_index
    empty = np.zeros(0, dtype=int)
    if not 0 <= slice_index < shape[measurement.axis] or not all(r.size for r in ranges):
        return (empty, empty, empty)
    grid_first, grid_second = np.meshgrid(ranges[0], ranges[1], indexing="ij")
    inside = np.ones(grid_first.shape, dtype=bool)
    if measurement.kind is MeasurementKind.ELLIPSE:
        centre = (low + high) / 2.0
        radius = (high - low) / 2.0
        if radius[first] <= 0 or radius[second] <= 0:
            return (empty, empty, empty)
        inside = (
            ((grid_first - centre[first]) / radius[first]) ** 2
            + ((grid_second - centre[second]) / radius[second]) ** 2
        ) <= 1.0 + 1e-9
    index: list[np.ndarray] = [empty, empty, empty]
    index[first] = grid_first[inside]
    index[second] = grid_second[inside]
    index[measurement.axis] = np.full(int(inside.sum()), slice_index)
    return (index[0], index[1], index[2])
