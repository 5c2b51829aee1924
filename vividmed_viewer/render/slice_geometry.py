"""How a slice view's screen maps onto a volume's array axes (radiological convention).

A slice view shows one array slice; the display plane is measured in millimetres with
``u`` to the screen's right and ``v`` up. Pixel ``(i, j)`` of the 2D slice image (``i``
along ``u``, ``j`` along ``v``) sits at ``(i * spacing_u, j * spacing_v)``.

Conventions (VIEWER.md): patient left on the screen's right; anterior up on axial views;
superior up on coronal and sagittal views; anterior on the left of sagittal views.
Oblique volumes are shown along their nearest array axes (the letters name the dominant
direction). One-slice images (radiographs) are shown as stored: columns to the right,
rows down.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.geometry import GridGeometry

Orientation = Literal["axial", "coronal", "sagittal"]
ORIENTATIONS: tuple[Orientation, ...] = ("axial", "coronal", "sagittal")

# orientation → (patient axis normal to the plane, (patient axis, sign) to the screen's
# right, (patient axis, sign) up). Patient axes: 0 = L, 1 = P, 2 = S (LPS).
_SCREEN_AXES: dict[str, tuple[int, tuple[int, int], tuple[int, int]]] = {
    "axial": (2, (0, 1), (1, -1)),
    "coronal": (1, (0, 1), (2, 1)),
    "sagittal": (0, (1, 1), (2, 1)),
}


@dataclass(frozen=True)
class SliceAxes:
    """Which array axis is normal to the view, which runs right and which runs up.

    ``right_sign``/``up_sign`` are +1 when the array index grows towards the screen's
    right/top, -1 when it shrinks.
    """

    slice_axis: int
    right_axis: int
    up_axis: int
    right_sign: int
    up_sign: int
    shape: tuple[int, int, int]
    spacing: tuple[float, float, float]

    @property
    def slice_count(self) -> int:
        return self.shape[self.slice_axis]

    @property
    def image_size(self) -> tuple[int, int]:
        """(width, height) of the 2D slice image in pixels."""
        return self.shape[self.right_axis], self.shape[self.up_axis]

    @property
    def pixel_spacing(self) -> tuple[float, float]:
        """(u, v) millimetres per pixel."""
        return self.spacing[self.right_axis], self.spacing[self.up_axis]

    @property
    def extent_mm(self) -> tuple[float, float]:
        """Width and height of the slice image in millimetres (pixel edges to edges)."""
        width, height = self.image_size
        spacing_u, spacing_v = self.pixel_spacing
        return width * spacing_u, height * spacing_v

    def extract(self, array: NDArray[np.generic], index: int) -> NDArray[np.generic]:
        """The slice ``index`` of a (z, y, x) array as a 2D image, rows = ``v`` (bottom first)."""
        selector: list[slice | int] = [slice(None)] * 3
        selector[self.slice_axis] = int(index)
        plane = array[tuple(selector)]  # a view: np.take would copy far more slowly
        remaining = [a for a in range(3) if a != self.slice_axis]
        if remaining.index(self.up_axis) != 0:
            plane = plane.T
        if self.right_sign < 0:
            plane = plane[:, ::-1]
        if self.up_sign < 0:
            plane = plane[::-1, :]
        return np.ascontiguousarray(plane)

    def pixel_to_index(
        self, pixel_u: float, pixel_v: float, slice_index: float
    ) -> NDArray[np.float64]:
        """Continuous (z, y, x) index of continuous slice-image pixel ``(i, j)``."""
        width, height = self.image_size
        index = np.zeros(3)
        index[self.slice_axis] = slice_index
        index[self.right_axis] = pixel_u if self.right_sign > 0 else width - 1 - pixel_u
        index[self.up_axis] = pixel_v if self.up_sign > 0 else height - 1 - pixel_v
        return index

    def index_to_pixel(self, index: NDArray[np.float64] | tuple[float, ...]) -> tuple[float, float]:
        """Continuous slice-image pixel ``(i, j)`` of a continuous (z, y, x) index."""
        width, height = self.image_size
        values = np.asarray(index, dtype=float)
        right, up = float(values[self.right_axis]), float(values[self.up_axis])
        pixel_u = right if self.right_sign > 0 else width - 1 - right
        pixel_v = up if self.up_sign > 0 else height - 1 - up
        return pixel_u, pixel_v

    def index_range_to_pixels(
        self, low: NDArray[np.float64], high: NDArray[np.float64]
    ) -> tuple[float, float, float, float]:
        """Pixel rectangle (u0, v0, u1, v1), u0 ≤ u1, v0 ≤ v1, of an index box."""
        u_a, v_a = self.index_to_pixel(low)
        u_b, v_b = self.index_to_pixel(high)
        return min(u_a, u_b), min(v_a, v_b), max(u_a, u_b), max(v_a, v_b)


def _dominant_permutation(direction: NDArray[np.float64]) -> tuple[int, int, int]:
    """Array axis best aligned with each patient axis (L, P, S)."""
    magnitudes = np.abs(direction)
    best = max(
        itertools.permutations(range(3)),
        key=lambda perm: float(np.prod([magnitudes[p, perm[p]] for p in range(3)])),
    )
    return best[0], best[1], best[2]


def slice_axes(geometry: GridGeometry, orientation: str) -> SliceAxes:
    """The :class:`SliceAxes` of ``orientation`` for a grid (one-slice grids: as stored)."""
    if orientation not in _SCREEN_AXES:
        raise ValidationError(
            f"unknown view orientation {orientation!r} (expected axial, coronal or sagittal)"
        )
    spacing = geometry.spacing
    if geometry.shape[0] == 1:
        return SliceAxes(0, 2, 1, 1, -1, geometry.shape, spacing)
    normal, (right_patient, right_screen), (up_patient, up_screen) = _SCREEN_AXES[orientation]
    array_axis_of = _dominant_permutation(geometry.direction)
    right_axis, up_axis = array_axis_of[right_patient], array_axis_of[up_patient]
    right_sign = int(np.sign(geometry.direction[right_patient, right_axis])) * right_screen
    up_sign = int(np.sign(geometry.direction[up_patient, up_axis])) * up_screen
    return SliceAxes(
        array_axis_of[normal],
        right_axis,
        up_axis,
        right_sign or 1,
        up_sign or 1,
        geometry.shape,
        spacing,
    )


def edge_letters(geometry: GridGeometry, axes: SliceAxes) -> dict[str, str]:
    """Patient-direction letters at the view's edges: keys left, right, top, bottom."""
    right_low, right_high = geometry.axis_letters(axes.right_axis)
    up_low, up_high = geometry.axis_letters(axes.up_axis)
    if axes.right_sign < 0:
        right_low, right_high = right_high, right_low
    if axes.up_sign < 0:
        up_low, up_high = up_high, up_low
    return {"left": right_low, "right": right_high, "bottom": up_low, "top": up_high}
