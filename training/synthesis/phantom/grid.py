"""The phantom's voxel grid in millimetres and small region (sub-box) helpers.

Physical frame of the phantom: x towards the patient's left, y towards posterior, z towards
the head (LPS), in mm; x and y are centred on the grid, z = 0 at the lowest slice. Arrays
are (z, y, x) like everywhere in the project.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Slices = tuple[slice, slice, slice]


@dataclass(frozen=True)
class PhantomGrid:
    """Shape and spacing (z, y, x) of the phantom and its millimetre coordinates."""

    shape: tuple[int, int, int]
    spacing: tuple[float, float, float]

    @property
    def z_mm(self) -> FloatArray:
        return np.arange(self.shape[0], dtype=np.float64) * self.spacing[0]

    @property
    def y_mm(self) -> FloatArray:
        return (
            np.arange(self.shape[1], dtype=np.float64) - (self.shape[1] - 1) / 2.0
        ) * self.spacing[1]

    @property
    def x_mm(self) -> FloatArray:
        return (
            np.arange(self.shape[2], dtype=np.float64) - (self.shape[2] - 1) / 2.0
        ) * self.spacing[2]

    @property
    def height_mm(self) -> float:
        return (self.shape[0] - 1) * self.spacing[0]

    @property
    def origin_lps(self) -> tuple[float, float, float]:
        """LPS position of voxel (0, 0, 0) as (L, P, S)."""
        return (float(self.x_mm[0]), float(self.y_mm[0]), float(self.z_mm[0]))

    def index_of(self, point_mm: FloatArray) -> FloatArray:
        """Continuous (z, y, x) index of a point given as (x, y, z) mm."""
        x, y, z = point_mm
        return np.array(
            [
                z / self.spacing[0],
                y / self.spacing[1] + (self.shape[1] - 1) / 2.0,
                x / self.spacing[2] + (self.shape[2] - 1) / 2.0,
            ]
        )

    def box_slices(self, low_mm: FloatArray, high_mm: FloatArray) -> Slices | None:
        """Index slices covering the (x, y, z) mm box [low, high]; None when outside."""
        low_index = self.index_of(np.asarray(low_mm, dtype=float))
        high_index = self.index_of(np.asarray(high_mm, dtype=float))
        slices = []
        for axis in range(3):
            start = max(0, int(np.floor(min(low_index[axis], high_index[axis]))))
            stop = min(self.shape[axis], int(np.ceil(max(low_index[axis], high_index[axis]))) + 1)
            if stop <= start:
                return None
            slices.append(slice(start, stop))
        return (slices[0], slices[1], slices[2])

    def coordinates(self, region: Slices) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Broadcastable (z, y, x) mm coordinate arrays of a sub-box."""
        z = self.z_mm[region[0]][:, None, None]
        y = self.y_mm[region[1]][None, :, None]
        x = self.x_mm[region[2]][None, None, :]
        return z, y, x


@dataclass
class Region:
    """A boolean shape living in a sub-box of the grid."""

    slices: Slices
    mask: BoolArray

    def full(self, shape: tuple[int, int, int]) -> BoolArray:
        """The region as a full-size boolean array."""
        out = np.zeros(shape, dtype=bool)
        out[self.slices] = self.mask
        return out


def ellipsoid(
    grid: PhantomGrid,
    center: FloatArray,
    radii: FloatArray,
    rotation_deg: float = 0.0,
    wobble: FloatArray | None = None,
) -> Region | None:
    """An ellipsoid (x, y, z mm), optionally rotated in the axial plane and wobbled.

    ``wobble`` holds harmonic amplitudes/phases ``(k, amplitude, phase)`` rows that modulate
    the radius with the in-plane angle (smooth random shape variation).
    """
    center = np.asarray(center, dtype=float)
    radii = np.asarray(radii, dtype=float)
    reach = radii.max() * 1.25
    region = grid.box_slices(center - reach, center + reach)
    if region is None:
        return None
    z, y, x = grid.coordinates(region)
    dx, dy, dz = x - center[0], y - center[1], z - center[2]
    angle = np.deg2rad(rotation_deg)
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    rho2 = (u / radii[0]) ** 2 + (v / radii[1]) ** 2 + (dz / radii[2]) ** 2
    limit = 1.0
    if wobble is not None and len(wobble):
        theta = np.arctan2(v, u)
        modulation = np.ones_like(theta)
        for k, amplitude, phase in wobble:
            modulation = modulation + amplitude * np.cos(k * theta + phase)
        limit = modulation**2
    return Region(region, np.asarray(rho2 <= limit))


def random_wobble(rng: np.random.Generator, strength: float, orders: int = 3) -> FloatArray:
    """Harmonic shape-variation rows (k, amplitude, phase) for k = 2..orders+1."""
    rows = [
        (float(k), float(rng.uniform(-strength, strength) / k), float(rng.uniform(0, 2 * np.pi)))
        for k in range(2, orders + 2)
    ]
    return np.asarray(rows, dtype=float)


def catmull_rom(points: FloatArray, step_mm: float) -> FloatArray:
    """A smooth curve through control points (N, 3), resampled about every ``step_mm``."""
    points = np.asarray(points, dtype=float)
    if len(points) < 2:
        return points
    padded = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    samples = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        count = max(2, int(np.ceil(np.linalg.norm(p2 - p1) / step_mm)))
        t = np.linspace(0.0, 1.0, count, endpoint=False)[:, None]
        samples.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    samples.append(points[-1:])
    return np.vstack(samples)


def tube(grid: PhantomGrid, points: FloatArray, radii: FloatArray | float) -> Region | None:
    """Union of spheres along a densely sampled centreline (N, 3) mm with radius per point."""
    points = np.asarray(points, dtype=float)
    radius_per_point = np.broadcast_to(np.asarray(radii, dtype=float), (len(points),))
    reach = float(radius_per_point.max()) + 1.0
    region = grid.box_slices(points.min(axis=0) - reach, points.max(axis=0) + reach)
    if region is None:
        return None
    mask = np.zeros(tuple(s.stop - s.start for s in region), dtype=bool)
    z_all, y_all, x_all = grid.coordinates(region)
    z_all, y_all, x_all = z_all[:, 0, 0], y_all[0, :, 0], x_all[0, 0, :]
    for point, radius in zip(points, radius_per_point, strict=True):
        zs = np.nonzero(np.abs(z_all - point[2]) <= radius)[0]
        ys = np.nonzero(np.abs(y_all - point[1]) <= radius)[0]
        xs = np.nonzero(np.abs(x_all - point[0]) <= radius)[0]
        if not (len(zs) and len(ys) and len(xs)):
            continue
        local = (
            ((z_all[zs] - point[2]) ** 2)[:, None, None]
            + ((y_all[ys] - point[1]) ** 2)[None, :, None]
            + ((x_all[xs] - point[0]) ** 2)[None, None, :]
        ) <= radius**2
        mask[zs[0] : zs[-1] + 1, ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1] |= local
    return Region(region, mask)
