"""Boxes on the input image grid: inclusive voxel corners (z, y, x) and a score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from model.processor.image_input import Vector3


class BoxCorners(Protocol):
    """Anything with inclusive voxel corners: a :class:`VoxelBox`, the viewer's ``Box``."""

    @property
    def minimum(self) -> Vector3: ...

    @property
    def maximum(self) -> Vector3: ...


@dataclass(frozen=True)
class VoxelBox:
    """A box of whole voxels: ``minimum``/``maximum`` are the first and last voxel indices
    inside it along (z, y, x); ``score`` the model's present probability (``None``: not scored)."""

    minimum: Vector3
    maximum: Vector3
    score: float | None = None
