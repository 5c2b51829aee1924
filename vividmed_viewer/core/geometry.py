"""Voxel grid geometry: the map from array indices to patient coordinates (LPS, mm).

Convention used everywhere in the project: arrays are indexed ``(z, y, x)`` (slice, row,
column) and every per-axis quantity (``shape``, ``spacing``, the columns of ``direction``)
is given in that same array order. ``direction[:, a]`` is the unit vector, in LPS patient
coordinates, along which array axis ``a`` increases. The affine maps a homogeneous index
``(z, y, x, 1)`` to ``(L, P, S, 1)``::

    patient = origin + direction @ (spacing * index)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from vividmed_viewer.core.errors import ValidationError

Vector3 = tuple[float, float, float]
AXIS_LETTERS_POSITIVE = ("L", "P", "S")
AXIS_LETTERS_NEGATIVE = ("R", "A", "I")


def _as_vector3(value: ArrayLike, name: str) -> Vector3:
    array = np.asarray(value, dtype=float).reshape(-1)
    if array.shape != (3,) or not np.all(np.isfinite(array)):
        raise ValidationError(f"{name} must be 3 finite numbers, got {value!r}")
    return (float(array[0]), float(array[1]), float(array[2]))


@dataclass(frozen=True)
class GridGeometry:
    """Shape, spacing, origin and orientation of a voxel grid (all in array order z, y, x)."""

    shape: tuple[int, int, int]
    spacing: Vector3 = (1.0, 1.0, 1.0)
    origin: Vector3 = (0.0, 0.0, 0.0)
    direction: NDArray[np.float64] = field(default_factory=lambda: default_direction())

    def __post_init__(self) -> None:
        shape = tuple(int(s) for s in self.shape)
        if len(shape) != 3 or min(shape) < 1:
            raise ValidationError(
                f"grid shape must be 3 positive sizes (z, y, x), got {self.shape}"
            )
        spacing = _as_vector3(self.spacing, "spacing")
        if min(spacing) <= 0:
            raise ValidationError(f"spacing must be > 0 mm along every axis, got {spacing}")
        direction = np.asarray(self.direction, dtype=float)
        if direction.shape != (3, 3) or not np.all(np.isfinite(direction)):
            raise ValidationError(
                f"direction must be a finite 3x3 matrix, got shape {direction.shape}"
            )
        norms = np.linalg.norm(direction, axis=0)
        if np.any(np.abs(norms - 1.0) > 1e-3):
            raise ValidationError(f"direction columns must be unit vectors, got norms {norms}")
        if abs(abs(np.linalg.det(direction)) - 1.0) > 1e-2:
            raise ValidationError("direction columns must be orthogonal (|det| = 1)")
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "spacing", spacing)
        object.__setattr__(self, "origin", _as_vector3(self.origin, "origin"))
        object.__setattr__(self, "direction", direction)

    @property
    def affine(self) -> NDArray[np.float64]:
        """4x4 map from homogeneous index (z, y, x, 1) to LPS millimetres."""
        affine = np.eye(4)
        affine[:3, :3] = self.direction * np.asarray(self.spacing)[None, :]
        affine[:3, 3] = self.origin
        return affine

    @property
    def inverse_affine(self) -> NDArray[np.float64]:
        """4x4 map from LPS millimetres to continuous index (z, y, x)."""
        return np.asarray(np.linalg.inv(self.affine), dtype=np.float64)

    def index_to_patient(self, indices: ArrayLike) -> NDArray[np.float64]:
        """Map continuous indices ``(..., 3)`` in (z, y, x) order to LPS points ``(..., 3)``."""
        points = np.asarray(indices, dtype=float)
        return points @ self.affine[:3, :3].T + self.affine[:3, 3]

    def patient_to_index(self, points: ArrayLike) -> NDArray[np.float64]:
        """Map LPS points ``(..., 3)`` to continuous indices in (z, y, x) order."""
        inverse = self.inverse_affine
        return np.asarray(points, dtype=float) @ inverse[:3, :3].T + inverse[:3, 3]

    @property
    def center_patient(self) -> NDArray[np.float64]:
        """LPS position of the grid's centre."""
        return self.index_to_patient((np.asarray(self.shape) - 1) / 2.0)

    def axis_letters(self, axis: int) -> tuple[str, str]:
        """Patient-direction letters (towards low index, towards high index) of an array axis.

        The dominant LPS component names the direction, e.g. ``("R", "L")`` for an x axis
        that runs from the patient's right to left.
        """
        vector = self.direction[:, axis]
        dominant = int(np.argmax(np.abs(vector)))
        if vector[dominant] >= 0:
            return AXIS_LETTERS_NEGATIVE[dominant], AXIS_LETTERS_POSITIVE[dominant]
        return AXIS_LETTERS_POSITIVE[dominant], AXIS_LETTERS_NEGATIVE[dominant]

    def to_dict(self) -> dict[str, Any]:
        return {
            "shape": list(self.shape),
            "spacing": list(self.spacing),
            "origin": list(self.origin),
            "direction": self.direction.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GridGeometry:
        return cls(
            shape=tuple(data["shape"]),
            spacing=tuple(data["spacing"]),
            origin=tuple(data["origin"]),
            direction=np.asarray(data["direction"], dtype=float),
        )

    def same_grid(self, other: GridGeometry, tolerance: float = 1e-4) -> bool:
        """Whether two geometries put the same voxel centres at the same patient positions.

        With one slice the slice axis's spacing and direction place no voxel, so they are
        not compared (a radiograph's nominal slice spacing differs between writers).
        """
        first_axis = 1 if self.shape[0] == 1 else 0
        return (
            self.shape == other.shape
            and np.allclose(self.spacing[first_axis:], other.spacing[first_axis:], atol=tolerance)
            and np.allclose(self.origin, other.origin, atol=tolerance)
            and np.allclose(
                self.direction[:, first_axis:], other.direction[:, first_axis:], atol=tolerance
            )
        )


def default_direction() -> NDArray[np.float64]:
    """Axial orientation in array order: z → S (head), y → P (posterior), x → L (patient left).

    This is the orientation of a standard axial DICOM series (rows run anterior→posterior,
    columns run right→left, slices ordered foot→head).
    """
    return np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])


def direction_from_dicom(
    image_orientation: ArrayLike, slice_normal: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Direction matrix (array order z, y, x) from DICOM ImageOrientationPatient.

    ImageOrientationPatient holds the row direction (the way x/columns increase) then the
    column direction (the way y/rows increase). The slice axis defaults to their cross product.
    """
    values = np.asarray(image_orientation, dtype=float).reshape(-1)
    if values.shape != (6,):
        raise ValidationError(f"ImageOrientationPatient must hold 6 numbers, got {values.tolist()}")
    row_direction = values[:3] / np.linalg.norm(values[:3])
    column_direction = values[3:] / np.linalg.norm(values[3:])
    normal = (
        np.cross(row_direction, column_direction)
        if slice_normal is None
        else np.asarray(slice_normal, dtype=float)
    )
    normal = normal / np.linalg.norm(normal)
    return np.stack([normal, column_direction, row_direction], axis=1)
