"""Heart, great vessels, airway and oesophagus of the phantom."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from training.synthesis.phantom.anatomy_parameters import ChestAnatomy
from training.synthesis.phantom.grid import (
    FloatArray,
    PhantomGrid,
    Region,
    catmull_rom,
    ellipsoid,
    tube,
)
from training.synthesis.phantom.labels import BONE_TISSUES, Tissue

BONES = np.array(sorted(BONE_TISSUES), dtype=np.uint8)


def _paint(
    labels: NDArray[np.uint8],
    region: Region | None,
    tissue: Tissue,
    protect: NDArray[np.uint8] | None = None,
) -> None:
    if region is None:
        return
    view = labels[region.slices]
    where = region.mask & (view != Tissue.OUTSIDE)
    if protect is not None:
        where &= ~np.isin(view, protect)
    view[where] = tissue


def _curve(grid: PhantomGrid, points: list[list[float]], radius: float) -> Region | None:
    step = max(0.5, radius / 2.5)
    return tube(grid, catmull_rom(np.asarray(points, dtype=float), step), radius)


def hilum_points(anatomy: ChestAnatomy) -> dict[str, FloatArray]:
    """Where the pulmonary arteries enter each lung (x, y, z mm)."""
    bifurcation_z = anatomy.carina_z - 8.0
    width = anatomy.cavity_half_width
    return {
        "right": np.array([-width * 0.42, anatomy.trachea_y, bifurcation_z - 14.0]),
        "left": np.array([width * 0.45, anatomy.trachea_y + 18.0, bifurcation_z - 10.0]),
    }


def paint_mediastinum(labels: NDArray[np.uint8], grid: PhantomGrid, anatomy: ChestAnatomy) -> None:
    """Heart, aorta, pulmonary artery, oesophagus, trachea and main bronchi (in that order)."""
    heart = ellipsoid(
        grid,
        anatomy.heart_center,
        anatomy.heart_radii,
        rotation_deg=anatomy.heart_rotation_deg,
        wobble=anatomy.heart_wobble,
    )
    protect_abdomen = np.array([Tissue.LIVER, Tissue.STOMACH, Tissue.STOMACH_AIR], np.uint8)
    _paint(labels, heart, Tissue.HEART, protect_abdomen)
    centre, radii = anatomy.heart_center, anatomy.heart_radii
    carina, trachea_y, spine_y = anatomy.carina_z, anatomy.trachea_y, anatomy.spine_y
    top = grid.height_mm + 10.0
    radius = anatomy.aorta_radius
    aorta_points = [
        [centre[0] - 0.30 * radii[0], centre[1] + 0.15 * radii[1], centre[2] + 0.45 * radii[2]],
        [centre[0] - 0.35 * radii[0], centre[1] + 0.05 * radii[1], carina + 5.0],
        [2.0, trachea_y - 28.0, carina + 27.0],
        [22.0, trachea_y - 2.0, carina + 30.0],
        [26.0, spine_y - 12.0, carina + 15.0],
        [24.0, spine_y - 9.0, carina - 40.0],
        [20.0, spine_y - 9.0, -20.0],
    ]
    _paint(labels, _curve(grid, aorta_points[:4], radius), Tissue.AORTA, BONES)
    _paint(labels, _curve(grid, aorta_points[3:], radius * 0.82), Tissue.AORTA, BONES)
    hila = hilum_points(anatomy)
    bifurcation = [centre[0] + 0.12 * radii[0], trachea_y - 22.0, carina - 8.0]
    trunk = [
        [centre[0] + 0.05 * radii[0], centre[1] - 0.45 * radii[1], centre[2] + 0.55 * radii[2]],
        bifurcation,
    ]
    _paint(labels, _curve(grid, trunk, 12.0), Tissue.PULMONARY_ARTERY, BONES)
    for side, end in hila.items():
        middle = [end[0] * 0.5, (bifurcation[1] + end[1]) / 2, bifurcation[2] - 2.0]
        if side == "right":
            middle[1] = trachea_y - 18.0
        points = [bifurcation, middle, list(end)]
        _paint(labels, _curve(grid, points, 8.5), Tissue.PULMONARY_ARTERY, BONES)
    esophagus = [
        [3.0, trachea_y + 16.0, top],
        [6.0, spine_y - 26.0, carina - 20.0],
        [14.0, spine_y - 30.0, anatomy.left_base_z + 10.0],
        [anatomy.cavity_half_width * 0.35, -anatomy.cavity_half_depth * 0.2, anatomy.left_base_z],
    ]
    _paint(labels, _curve(grid, esophagus, 7.5), Tissue.ESOPHAGUS, BONES)
    paint_airway(labels, grid, anatomy)


def paint_airway(labels: NDArray[np.uint8], grid: PhantomGrid, anatomy: ChestAnatomy) -> None:
    """Trachea and main bronchi: a soft-tissue wall around an air lumen."""
    carina, y = anatomy.carina_z, anatomy.trachea_y
    width = anatomy.cavity_half_width
    trachea = [[0.0, y, grid.height_mm + 10.0], [0.0, y + 2.0, carina + 40.0], [0.0, y, carina]]
    bronchi = [
        [
            [0.0, y, carina + 2.0],
            [-18.0, y + 4.0, carina - 12.0],
            [-width * 0.33, y + 8, carina - 26],
        ],
        [
            [0.0, y, carina + 2.0],
            [20.0, y + 6.0, carina - 10.0],
            [width * 0.38, y + 14, carina - 34],
        ],
    ]
    _paint(labels, _curve(grid, trachea, 10.5), Tissue.TRACHEA_WALL, BONES)
    for points in bronchi:
        _paint(labels, _curve(grid, points, 7.0), Tissue.BRONCHUS_WALL, BONES)
    _paint(labels, _curve(grid, trachea, 8.0), Tissue.TRACHEA_LUMEN, BONES)
    for points in bronchi:
        _paint(labels, _curve(grid, points, 4.8), Tissue.BRONCHUS_LUMEN, BONES)
