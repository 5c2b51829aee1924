"""``ImageVolume``: voxels plus the geometry and facts a viewer and a model need."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.geometry import GridGeometry, Vector3, default_direction
from vividmed_viewer.core.units import value_units
from vividmed_viewer.core.window import WindowLevel, percentile_window


class SpacingSource(StrEnum):
    """Where an image's in-plane spacing came from (shown to the user)."""

    PIXEL_SPACING = "PixelSpacing"
    IMAGER_PIXEL_SPACING = "ImagerPixelSpacing"
    NIFTI_HEADER = "NIfTI header"
    POSITIONS = "slice positions"
    UNKNOWN = "unknown"


@dataclass
class VolumeMetadata:
    """Descriptive facts about where an image came from (what a viewer shows)."""

    patient_name: str = ""
    patient_id: str = ""
    study_description: str = ""
    series_description: str = ""
    study_instance_uid: str = ""
    series_instance_uid: str = ""
    frame_of_reference_uid: str = ""
    body_part: str = ""
    source_paths: list[str] = field(default_factory=list)
    photometric_interpretation: str = "MONOCHROME2"
    # The units the file states (RescaleType, a reader's choice); shown through
    # ImageVolume.value_units, which applies the one rule (HU for CT, ...).
    units: str = "raw"
    spacing_source: SpacingSource = SpacingSource.UNKNOWN
    notes: list[str] = field(default_factory=list)


@dataclass
class ImageVolume:
    """A 2D or 3D grayscale image: voxels in (z, y, x) order and their patient geometry.

    A radiograph is a volume with one slice. Voxel values are the stored values after
    rescale (HU for CT); MONOCHROME1 images keep their values and set
    ``invert_for_display`` so the viewer and the model show bright bone.

    Parameters
    ----------
    voxels:
        3D array (z, y, x) of integers or floats.
    spacing, origin, direction:
        Geometry in array order (see :mod:`vividmed_viewer.core.geometry`).
    modality:
        DICOM modality code ("CT", "MR", "CR", "DX", "OT", ...).
    window:
        Default display window; the 0.1–99.9 percentile range when not given.
    """

    voxels: NDArray[np.generic]
    spacing: Vector3 = (1.0, 1.0, 1.0)
    origin: Vector3 = (0.0, 0.0, 0.0)
    direction: NDArray[np.float64] = field(default_factory=default_direction)
    modality: str = "OT"
    window: WindowLevel | None = None
    invert_for_display: bool = False
    # False when the pixel spacing is not known (SpacingSource.UNKNOWN from a reader):
    # distances and positions are then shown in px, not mm (core.units.length_unit).
    spacing_known: bool = True
    metadata: VolumeMetadata = field(default_factory=VolumeMetadata)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        voxels = np.asarray(self.voxels)
        if voxels.ndim == 2:
            voxels = voxels[None]
        if voxels.ndim != 3:
            raise ValidationError(f"voxels must be a 2D or 3D array (z, y, x), got {voxels.ndim}D")
        if voxels.size == 0:
            raise ValidationError(f"voxels must not be empty, got shape {voxels.shape}")
        if not (
            np.issubdtype(voxels.dtype, np.integer) or np.issubdtype(voxels.dtype, np.floating)
        ):
            raise ValidationError(f"voxels must be integers or floats, got dtype {voxels.dtype}")
        self.voxels = voxels
        # Validates spacing, origin and direction and normalises their types.
        geometry = GridGeometry(voxels.shape, self.spacing, self.origin, self.direction)
        self.spacing, self.origin, self.direction = (
            geometry.spacing,
            geometry.origin,
            geometry.direction,
        )
        self.modality = (self.modality or "OT").upper()
        if self.window is None:
            self.window = percentile_window(voxels)

    @property
    def geometry(self) -> GridGeometry:
        return GridGeometry(self.shape, self.spacing, self.origin, self.direction)

    @property
    def shape(self) -> tuple[int, int, int]:
        z, y, x = self.voxels.shape
        return (int(z), int(y), int(x))

    @property
    def is_2d(self) -> bool:
        """True for a single-slice image such as a radiograph."""
        return self.shape[0] == 1

    @property
    def affine(self) -> NDArray[np.float64]:
        """4x4 index (z, y, x, 1) → LPS mm."""
        return self.geometry.affine

    @property
    def inverse_affine(self) -> NDArray[np.float64]:
        return self.geometry.inverse_affine

    @property
    def nbytes(self) -> int:
        return int(self.voxels.nbytes)

    @property
    def value_units(self) -> str:
        """The units of the voxel values as the user reads them ("HU", "raw", ...).

        :func:`vividmed_viewer.core.units.value_units` of the modality and the stated units.
        """
        return value_units(self.modality, self.metadata.units)

    @property
    def display_window(self) -> WindowLevel:
        assert self.window is not None
        return self.window

    def index_to_patient(self, indices: ArrayLike) -> NDArray[np.float64]:
        return self.geometry.index_to_patient(indices)

    def patient_to_index(self, points: ArrayLike) -> NDArray[np.float64]:
        return self.geometry.patient_to_index(points)

    def value_at(self, index: tuple[int, int, int]) -> float:
        """The voxel value at an integer (z, y, x) index; raises for indices outside."""
        z, y, x = index
        if not (0 <= z < self.shape[0] and 0 <= y < self.shape[1] and 0 <= x < self.shape[2]):
            raise ValidationError(f"index {index} is outside the image of shape {self.shape}")
        return float(self.voxels[z, y, x])

    def describe(self) -> str:
        """One line: modality, size, spacing."""
        z, y, x = self.shape
        size = f"{x}×{y}" if self.is_2d else f"{x}×{y}×{z}"
        sz, sy, sx = self.spacing
        spacing = f"{sx:.3g}×{sy:.3g} mm" if self.is_2d else f"{sx:.3g}×{sy:.3g}×{sz:.3g} mm"
        if not self.spacing_known:
            spacing = "spacing unknown"
        return f"{self.modality} {size} {spacing}"
