"""``ImageGrid``: the voxel grid of the model's input image, as plain numbers.

Array order (z, y, x) throughout, as in the viewer: ``patient = origin + direction @
(spacing * index)``. Masks and boxes the model returns live on this grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from model.processor.image_input import ModelImage, Vector3
from vividmed_viewer.core.errors import ModelError

GRID_FIELDS = ("shape", "spacing", "origin", "direction")


def _vector3(value: ArrayLike, name: str) -> Vector3:
    array = np.asarray(value, dtype=float).reshape(-1)
    if array.shape != (3,) or not np.all(np.isfinite(array)):
        raise ModelError(f"{name} must be 3 finite numbers (z, y, x), got {value!r}")
    return (float(array[0]), float(array[1]), float(array[2]))


@dataclass(frozen=True, eq=False)
class ImageGrid:
    """Shape, spacing (mm), origin (LPS mm) and direction (3×3) of an image's voxels."""

    shape: tuple[int, int, int]
    spacing: Vector3 = (1.0, 1.0, 1.0)
    origin: Vector3 = (0.0, 0.0, 0.0)
    direction: NDArray[np.float64] = field(default_factory=lambda: np.eye(3))

    def __post_init__(self) -> None:
        shape = tuple(int(s) for s in self.shape)
        if len(shape) != 3 or min(shape) < 1:
            raise ModelError(f"an image grid needs 3 positive sizes (z, y, x), got {self.shape}")
        spacing = _vector3(self.spacing, "spacing")
        if min(spacing) <= 0:
            raise ModelError(f"spacing must be > 0 mm along every axis, got {spacing}")
        direction = np.asarray(self.direction, dtype=float)
        if direction.shape != (3, 3) or not np.all(np.isfinite(direction)):
            raise ModelError(f"direction must be a finite 3×3 matrix, got {direction.shape}")
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "spacing", spacing)
        object.__setattr__(self, "origin", _vector3(self.origin, "origin"))
        object.__setattr__(self, "direction", direction)

    @classmethod
    def of(cls, image: ModelImage) -> ImageGrid:
        """The grid of an image's voxels."""
        shape = np.shape(image.voxels)
        if len(shape) != 3:
            raise ModelError(f"the model takes 3D voxel arrays (z, y, x), got shape {shape}")
        return cls((shape[0], shape[1], shape[2]), image.spacing, image.origin, image.direction)

    def index_to_patient(self, indices: ArrayLike) -> NDArray[np.float64]:
        """Continuous indices (..., 3) in (z, y, x) order → LPS millimetres (..., 3)."""
        points = np.asarray(indices, dtype=float) * np.asarray(self.spacing)
        return np.asarray(points @ self.direction.T + np.asarray(self.origin), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """Plain lists, as JSON holds them (the viewer's grid JSON has the same keys)."""
        return {name: np.asarray(getattr(self, name)).tolist() for name in GRID_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageGrid:
        return cls(**{name: data[name] for name in GRID_FIELDS})
