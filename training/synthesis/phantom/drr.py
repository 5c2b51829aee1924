"""Digitally reconstructed radiograph: a PA chest film of the phantom, with projected labels.

Parallel projection along the anterior-posterior axis (y). The film is displayed as a PA
radiograph is read: head at the top, the patient's left on the image's right. Rows are
resampled from slices to square pixels; row ``r`` sits at height ``z_top - r * pixel``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core import Box, ImageVolume, VolumeMetadata, WindowLevel
from vividmed_viewer.core.image_volume import SpacingSource

WATER_ATTENUATION_PER_MM = 0.02
BONE_EXTRA_GAIN = 1.0
FILM_MAXIMUM = 4095
# Direction columns (array order): slice normal → posterior, rows → feet, columns → left.
DRR_DIRECTION = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])


@dataclass(frozen=True)
class ProjectionGeometry:
    """How CT slices map to DRR rows: row r ↔ slice index (slices - 1) - r * pixel / slice."""

    slices: int
    slice_spacing: float
    pixel_spacing: float

    @property
    def rows(self) -> int:
        return int(np.floor((self.slices - 1) * self.slice_spacing / self.pixel_spacing)) + 1

    def slice_of_row(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """Continuous CT slice index at DRR row positions."""
        return (self.slices - 1) - rows * self.pixel_spacing / self.slice_spacing

    def row_of_slice(self, slices: NDArray[np.float64]) -> NDArray[np.float64]:
        return ((self.slices - 1) - slices) * self.slice_spacing / self.pixel_spacing


def attenuation(hu: NDArray[np.integer]) -> NDArray[np.float32]:
    """Linear attenuation (1/mm) from HU, with extra gain for bone (bright bones on film)."""
    values = hu.astype(np.float32)
    mu = WATER_ATTENUATION_PER_MM * np.clip(1.0 + values / 1000.0, 0.0, None)
    mu += WATER_ATTENUATION_PER_MM * BONE_EXTRA_GAIN * np.clip(values - 150.0, 0.0, None) / 1000.0
    return mu.astype(np.float32)


def _rows_from_slices(
    image: NDArray[np.float32], geometry: ProjectionGeometry
) -> NDArray[np.float32]:
    position = geometry.slice_of_row(np.arange(geometry.rows, dtype=float))
    lower = np.clip(np.floor(position).astype(int), 0, geometry.slices - 1)
    upper = np.clip(lower + 1, 0, geometry.slices - 1)
    weight = (position - lower)[:, None].astype(np.float32)
    return image[lower] * (1 - weight) + image[upper] * weight


def project_mask(
    mask: NDArray[np.integer | np.bool_], geometry: ProjectionGeometry
) -> NDArray[np.uint8]:
    """A 3D mask's shadow on the film: any voxel along y, nearest slice per row (1, rows, x)."""
    shadow = np.any(mask, axis=1)
    nearest = np.clip(
        np.round(geometry.slice_of_row(np.arange(geometry.rows, dtype=float))).astype(int),
        0,
        geometry.slices - 1,
    )
    return shadow[nearest][None].astype(np.uint8)


def project_box(box: Box, geometry: ProjectionGeometry) -> Box:
    """A 3D box's rectangle on the film (z range → rows, x range kept; depth index 0)."""
    rows = geometry.row_of_slice(np.array([box.maximum[0], box.minimum[0]]))
    return Box((0.0, float(rows[0]), box.minimum[2]), (0.0, float(rows[1]), box.maximum[2]))


def render_drr(
    hu: NDArray[np.integer],
    spacing: tuple[float, float, float],
    origin_lps: tuple[float, float, float],
    rng: np.random.Generator,
) -> tuple[ImageVolume, ProjectionGeometry]:
    """The PA film (uint16, 12-bit, MONOCHROME2) and the row mapping used to make it."""
    dz, dy, dx = spacing
    geometry = ProjectionGeometry(hu.shape[0], dz, dx)
    path = attenuation(hu).sum(axis=1) * dy
    path = _rows_from_slices(path, geometry)
    inside = path[path > 0.3]
    middle = float(np.percentile(inside, 60)) if inside.size else 1.0
    scale = (
        float(np.percentile(inside, 95) - np.percentile(inside, 5)) / 6.0 if inside.size else 1.0
    )
    film = 1.0 / (1.0 + np.exp(-(path - middle) / max(scale, 1e-3)))
    film = (film - film.min()) / max(float(film.max() - film.min()), 1e-6)
    film += rng.normal(0.0, 0.006, film.shape)
    pixels = np.clip(np.round(film * FILM_MAXIMUM), 0, FILM_MAXIMUM).astype(np.uint16)
    x0, y0, z0 = origin_lps
    top = z0 + (hu.shape[0] - 1) * dz
    depth_centre = y0 + (hu.shape[1] - 1) * dy / 2.0
    volume = ImageVolume(
        pixels[None],
        spacing=(dx, dx, dx),
        origin=(x0, depth_centre, top),
        direction=DRR_DIRECTION,
        modality="CR",
        window=WindowLevel(center=FILM_MAXIMUM / 2, width=FILM_MAXIMUM),
        metadata=VolumeMetadata(
            series_description="synthetic PA chest radiograph (DRR)",
            body_part="CHEST",
            spacing_source=SpacingSource.IMAGER_PIXEL_SPACING,
            photometric_interpretation="MONOCHROME2",
        ),
    )
    return volume, geometry
