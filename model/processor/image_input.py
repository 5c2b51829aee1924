"""What the processor needs of an image: a voxel array, its patient geometry, two facts.

The viewer's ``ImageVolume`` satisfies :class:`ModelImage` structurally, so the model
never imports the viewer's types; :class:`ArrayImage` is the plain stand-in for callers
that have only arrays (benchmarks, scripts, model tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Vector3 = tuple[float, float, float]


class ModelImage(Protocol):
    """A grayscale image in array order (z, y, x); a radiograph has one slice.

    ``spacing`` (mm), ``origin`` (LPS mm of voxel (0, 0, 0)) and ``direction`` (3×3, column
    ``a`` is the LPS unit vector along array axis ``a``) place the voxels in the patient;
    ``modality`` is the DICOM code ("CT", "CR", "MR"…); ``invert_for_display`` is set for
    MONOCHROME1 images (bright means low), which the processor inverts so bone is bright.
    """

    @property
    def voxels(self) -> NDArray[Any]: ...

    @property
    def spacing(self) -> Vector3: ...

    @property
    def origin(self) -> Vector3: ...

    @property
    def direction(self) -> NDArray[np.float64]: ...

    @property
    def modality(self) -> str: ...

    @property
    def invert_for_display(self) -> bool: ...


class IntensityWindow(Protocol):
    """An intensity range to clip to before scaling (a CT window): its two bounds."""

    @property
    def lower(self) -> float: ...

    @property
    def upper(self) -> float: ...


@dataclass(frozen=True)
class ArrayImage:
    """A :class:`ModelImage` made of plain values (the voxels must be 3D: z, y, x)."""

    voxels: NDArray[Any]
    spacing: Vector3 = (1.0, 1.0, 1.0)
    origin: Vector3 = (0.0, 0.0, 0.0)
    direction: NDArray[np.float64] = field(default_factory=lambda: np.eye(3))
    modality: str = "OT"
    invert_for_display: bool = False
