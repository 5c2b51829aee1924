"""Hounsfield units from the phantom's label map: per-tissue means, cortical bone, vessels, noise."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from training.synthesis.phantom.anatomy_parameters import ChestAnatomy
from training.synthesis.phantom.grid import PhantomGrid, catmull_rom, tube
from training.synthesis.phantom.labels import BONE_TISSUES, LUNG_TISSUES, TISSUE_HU, Tissue
from training.synthesis.phantom.mediastinum import hilum_points

LUNG_LABELS = np.array(sorted(LUNG_TISSUES), np.uint8)
BONE_LABELS = np.array(sorted(BONE_TISSUES), np.uint8)


def lung_vessels(
    labels: NDArray[np.uint8],
    grid: PhantomGrid,
    anatomy: ChestAnatomy,
    rng: np.random.Generator,
    per_lung: int = 14,
) -> NDArray[np.bool_]:
    """Tapering vessel trees from each hilum to random points of the lung (where lung tissue)."""
    vessels = np.zeros(labels.shape, dtype=bool)
    lung = np.isin(labels, LUNG_LABELS)
    for side, hilum in hilum_points(anatomy).items():
        sided = lung.copy()
        half = grid.shape[2] // 2
        if side == "right":
            sided[:, :, half:] = False
        else:
            sided[:, :, :half] = False
        candidates = np.flatnonzero(sided)
        if not len(candidates):
            continue
        picks = candidates[rng.integers(0, len(candidates), per_lung)]
        for flat in picks:
            z, y, x = np.unravel_index(int(flat), labels.shape)
            end = np.array([grid.x_mm[x], grid.y_mm[y], grid.z_mm[z]])
            middle = (hilum + end) / 2 + rng.normal(0.0, 8.0, 3)
            line = catmull_rom(np.stack([hilum, middle, end]), 1.2)
            radii = np.linspace(3.2, 0.9, len(line))
            region = tube(grid, line, radii)
            if region is not None:
                vessels[region.slices] |= region.mask
    return vessels & lung


def hounsfield(
    labels: NDArray[np.uint8],
    grid: PhantomGrid,
    vessels: NDArray[np.bool_],
    rng: np.random.Generator,
    noise_hu: float,
) -> NDArray[np.int16]:
    """The CT volume in HU (int16) for a label map."""
    table = np.full(256, -1000.0, dtype=np.float32)
    for tissue, value in TISSUE_HU.items():
        table[int(tissue)] = value + (rng.normal(0.0, 8.0) if tissue != Tissue.OUTSIDE else 0.0)
    volume = table[labels]
    depth = grid.y_mm[None, :, None] / max(1.0, float(np.abs(grid.y_mm).max()))
    lung = np.isin(labels, LUNG_LABELS)
    volume += np.where(lung, 35.0 * depth, 0.0).astype(np.float32)
    volume[vessels] = 35.0
    bone = np.isin(labels, BONE_LABELS)
    cortex = bone & ~ndimage.binary_erosion(bone, iterations=1)
    volume[cortex] += rng.uniform(300.0, 450.0)
    volume = ndimage.gaussian_filter(volume, sigma=(0.4, 0.7, 0.7))
    volume += rng.normal(0.0, noise_hu, volume.shape).astype(np.float32)
    return np.clip(np.round(volume), -1024, 3071).astype(np.int16)
