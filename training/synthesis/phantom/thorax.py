"""Body wall, lungs with lobes, diaphragm and the upper abdominal organs of the phantom."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from training.synthesis.phantom.anatomy_parameters import ChestAnatomy
from training.synthesis.phantom.grid import FloatArray, PhantomGrid, ellipsoid
from training.synthesis.phantom.labels import LUNG_TISSUES, Tissue

LUNG_EXPONENT = 2.6
SIDES = ("right", "left")


def lung_profile(anatomy: ChestAnatomy, side: str, z: FloatArray) -> FloatArray:
    """Cross-section scale of a lung along z: 1 at the base, 0 at the apex."""
    base = anatomy.base_z(side)
    u = np.clip((z - base) / (anatomy.lung_apex_z - base), 0.0, None)
    return np.sqrt(np.clip(1.0 - u**2.4, 0.0, None))


def lung_radius(anatomy: ChestAnatomy, side: str, x: FloatArray, y: FloatArray) -> FloatArray:
    """Normalised super-ellipse radius of (x, y) in a lung's cross-section (1 at the base rim)."""
    u = np.abs((x - anatomy.lung_center_x(side)) / anatomy.lung_half_width)
    v = np.abs(y / anatomy.cavity_half_depth)
    return np.asarray((u**LUNG_EXPONENT + v**LUNG_EXPONENT) ** (1.0 / LUNG_EXPONENT))


def dome_surface(anatomy: ChestAnatomy, x: FloatArray, y: FloatArray) -> FloatArray:
    """Height (z mm) of the diaphragm's upper surface at (x, y): right dome for x < 0."""
    heights = []
    for side in SIDES:
        rho = lung_radius(anatomy, side, x, y)
        heights.append(anatomy.base_z(side) + anatomy.dome_height * np.clip(1.0 - rho**2, 0, None))
    return np.where(x < 0, heights[0], heights[1])


def paint_body(labels: NDArray[np.uint8], grid: PhantomGrid, anatomy: ChestAnatomy) -> None:
    """Body outline as fat with a muscle/soft-tissue interior."""
    z, y, x = grid.coordinates((slice(None), slice(None), slice(None)))
    theta = np.arctan2(y, x)
    modulation = np.ones_like(theta)
    for k, amplitude, phase in anatomy.body_wobble:
        modulation = modulation + amplitude * np.cos(k * theta + phase)
    taper = 1.0 + 0.05 * (1.0 - z / grid.height_mm)
    a = anatomy.body_half_width * taper
    b = anatomy.body_half_depth * taper
    outer = (x / a) ** 2 + (y / b) ** 2 <= modulation**2
    inner_a, inner_b = a - anatomy.fat_thickness, b - anatomy.fat_thickness
    inner = (x / inner_a) ** 2 + (y / inner_b) ** 2 <= modulation**2
    labels[outer] = Tissue.FAT
    labels[inner] = Tissue.MUSCLE


def paint_lungs(labels: NDArray[np.uint8], grid: PhantomGrid, anatomy: ChestAnatomy) -> None:
    """Both lungs (lobes split by oblique and, on the right, horizontal fissures) and diaphragm."""
    depth = anatomy.cavity_half_depth
    for side in SIDES:
        centre = anatomy.lung_center_x(side)
        half = anatomy.lung_half_width
        base = anatomy.base_z(side)
        low = np.array([centre - half - 2, -depth - 2, base - 8])
        high = np.array([centre + half + 2, depth + 2, anatomy.lung_apex_z + 2])
        region = grid.box_slices(low, high)
        if region is None:
            continue
        z, y, x = grid.coordinates(region)
        rho = lung_radius(anatomy, side, x, y)
        dome = base + anatomy.dome_height * np.clip(1.0 - rho**2, 0, None)
        cavity = (x / anatomy.cavity_half_width) ** 2 + (y / depth) ** 2 <= 1.0
        lung = (rho <= lung_profile(anatomy, side, z)) & cavity & (z >= dome)
        height = anatomy.lung_apex_z - base
        across = (y + depth) / (2 * depth)
        tilt = anatomy.fissure_tilt * (x - centre) / half
        oblique = base + height * (0.12 + 0.55 * across + tilt)
        upper = z > oblique
        view = labels[region]
        if side == "right":
            horizontal = base + height * 0.52
            view[lung & upper & (z > horizontal)] = Tissue.RIGHT_UPPER_LOBE
            view[lung & upper & (z <= horizontal)] = Tissue.RIGHT_MIDDLE_LOBE
            view[lung & ~upper] = Tissue.RIGHT_LOWER_LOBE
        else:
            view[lung & upper] = Tissue.LEFT_UPPER_LOBE
            view[lung & ~upper] = Tissue.LEFT_LOWER_LOBE
        diaphragm = (rho <= 1.05) & cavity & (z < dome) & (z >= dome - 5.0) & (z >= base - 6.0)
        view[diaphragm & (view == Tissue.MUSCLE)] = Tissue.DIAPHRAGM


def paint_abdomen(
    labels: NDArray[np.uint8], grid: PhantomGrid, anatomy: ChestAnatomy, rng: np.random.Generator
) -> None:
    """Liver under the right dome, spleen and stomach (with a gas bubble) under the left."""
    width, depth = anatomy.cavity_half_width, anatomy.cavity_half_depth
    organs = [
        (
            Tissue.LIVER,
            [-width * 0.30, -depth * 0.05, anatomy.right_base_z - 10],
            [width * 0.85, depth * 0.90, 95.0],
        ),
        (
            Tissue.SPLEEN,
            [width * 0.68, depth * 0.50, anatomy.left_base_z - 12],
            [24.0, 42.0, 45.0],
        ),
        (
            Tissue.STOMACH,
            [width * 0.40, -depth * 0.30, anatomy.left_base_z - 4],
            [40.0, 36.0, 42.0],
        ),
    ]
    for tissue, centre, radii in organs:
        radii_array = np.asarray(radii) * rng.uniform(0.9, 1.1, 3)
        shape = ellipsoid(grid, np.asarray(centre), radii_array)
        if shape is None:
            continue
        z, y, x = grid.coordinates(shape.slices)
        below = z < dome_surface(anatomy, x, y) - 6.0
        view = labels[shape.slices]
        inside = shape.mask & below & (view == Tissue.MUSCLE)
        view[inside] = tissue
        if tissue is Tissue.STOMACH and inside.any():
            top = float(np.max(np.broadcast_to(z, inside.shape)[inside]))
            view[inside & (z > top - 14.0)] = Tissue.STOMACH_AIR


def lung_mask(labels: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """All lung-lobe voxels of a label map."""
    return np.isin(labels, np.array(sorted(LUNG_TISSUES), dtype=np.uint8))
