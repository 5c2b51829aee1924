"""Spine (C7 to L1 with discs and posterior elements), ribs, sternum, clavicles, scapulae."""

from __future__ import annotations

from dataclasses import dataclass

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
from training.synthesis.phantom.labels import Tissue
from training.synthesis.phantom.thorax import lung_profile

RIB_RADIUS_MM = 4.5
SPINE_TISSUES = np.array(
    [Tissue.VERTEBRA_CERVICAL, Tissue.VERTEBRA_THORACIC, Tissue.VERTEBRA_LUMBAR], np.uint8
)


@dataclass(frozen=True)
class RibFractureSpec:
    """A break in one rib: side, rib number (1-12), position along the rib (0..1), offset."""

    side: str
    rib: int
    position: float
    displacement_mm: float


def vertebra_levels(grid: PhantomGrid, anatomy: ChestAnatomy) -> list[tuple[str, float]]:
    """(name, centre z mm) of each vertebra in the field, from C7 downwards."""
    names = ["C7"] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)]
    first = grid.height_mm - anatomy.vertebra_pitch * 0.3
    levels = []
    for index, name in enumerate(names):
        z = first - index * anatomy.vertebra_pitch
        if z < -anatomy.vertebra_pitch / 2:
            break
        levels.append((name, z))
    return levels


def _level_tissue(name: str) -> Tissue:
    return {"C": Tissue.VERTEBRA_CERVICAL, "T": Tissue.VERTEBRA_THORACIC}.get(
        name[0], Tissue.VERTEBRA_LUMBAR
    )


def paint_spine(labels: NDArray[np.uint8], grid: PhantomGrid, anatomy: ChestAnatomy) -> None:
    """Vertebral bodies, discs, neural arches with spinous and transverse processes."""
    pitch = anatomy.vertebra_pitch
    for index, (name, z_centre) in enumerate(vertebra_levels(grid, anatomy)):
        half_height = (pitch - 5.0) / 2.0
        radius_x, radius_y = 17.0 + 0.35 * index, 13.5 + 0.3 * index
        region = grid.box_slices(
            np.array([-40.0, anatomy.spine_y - radius_y - 2, z_centre - pitch / 2]),
            np.array([40.0, anatomy.spine_y + radius_y + 36.0, z_centre + pitch / 2]),
        )
        if region is None:
            continue
        z, y, x = grid.coordinates(region)
        dy = y - anatomy.spine_y
        in_level = np.abs(z - z_centre) <= half_height
        body = (x / radius_x) ** 2 + (dy / radius_y) ** 2 <= 1.0
        canal_y = radius_y + 9.0
        canal = x**2 + (dy - canal_y) ** 2 <= 7.5**2
        arch = (x**2 + (dy - canal_y) ** 2 <= 13.0**2) & ~canal & (dy > radius_y - 2)
        spinous = (np.abs(x) <= 3.5) & (dy > canal_y) & (dy < canal_y + 24.0 - (z_centre - z))
        transverse = (np.abs(x) > 12.0) & (np.abs(x) < 30.0) & (np.abs(dy - canal_y + 4) < 5)
        bone = in_level & (body | arch | spinous | transverse)
        view = labels[region]
        inside = view != Tissue.OUTSIDE
        view[inside & ~in_level & body] = Tissue.DISC
        view[inside & canal] = Tissue.SPINAL_CANAL
        view[inside & bone] = _level_tissue(name)


def rib_centreline(
    grid: PhantomGrid, anatomy: ChestAnatomy, side: str, rib: int
) -> FloatArray | None:
    """The densely sampled centreline (x, y, z mm) of one rib, posterior to anterior."""
    levels = dict(vertebra_levels(grid, anatomy))
    z_rib = levels.get(f"T{rib}")
    if z_rib is None:
        return None
    sign = -1.0 if side == "right" else 1.0
    lateral = anatomy.lung_center_x("left") + anatomy.lung_half_width * float(
        lung_profile(anatomy, side, np.array([z_rib - 15.0]))[0]
    )
    scale = float(np.clip((lateral + 10.0) / anatomy.rib_half_width, 0.45, 1.0))
    end_angle = {11: -5.0, 12: 15.0}.get(rib, -62.0 if rib <= 7 else -45.0)
    angles = np.deg2rad(np.linspace(72.0, end_angle, 10))
    drop = anatomy.vertebra_pitch * (2.2 if rib <= 3 else 3.0)
    fraction = (72.0 - np.rad2deg(angles)) / (72.0 - end_angle)
    x = sign * anatomy.rib_half_width * scale * np.cos(angles)
    y = anatomy.rib_half_depth * np.maximum(scale, 0.8) * np.sin(angles)
    z = z_rib + 6.0 * np.sin(np.pi * np.clip(fraction * 2.5, 0, 1)) - drop * fraction
    joint = np.array([[sign * 20.0, anatomy.spine_y + 6.0, z_rib]])
    points = np.vstack([joint, np.stack([x, y, z], axis=1)])
    return catmull_rom(points, RIB_RADIUS_MM / 2.5)


def paint_ribs(
    labels: NDArray[np.uint8],
    grid: PhantomGrid,
    anatomy: ChestAnatomy,
    fractures: list[RibFractureSpec],
) -> dict[int, FloatArray]:
    """All ribs; a fractured rib gets a gap and a displaced far end. Returns fracture centres."""
    centres: dict[int, FloatArray] = {}
    for side in ("right", "left"):
        for rib in range(1, 13):
            line = rib_centreline(grid, anatomy, side, rib)
            if line is None:
                continue
            pieces = [line]
            for number, fracture in enumerate(fractures):
                if fracture.side != side or fracture.rib != rib:
                    continue
                cut = int(len(line) * fracture.position)
                gap = max(1, int(np.ceil(2.0 / (RIB_RADIUS_MM / 2.5))))
                offset = np.array([0.0, 0.0, -fracture.displacement_mm])
                pieces = [line[:cut], line[cut + gap :] + offset]
                centres[number] = line[cut]
            for piece in pieces:
                region = tube(grid, piece, RIB_RADIUS_MM) if len(piece) else None
                if region is None:
                    continue
                view = labels[region.slices]
                where = region.mask & (view != Tissue.OUTSIDE) & ~np.isin(view, SPINE_TISSUES)
                view[where] = Tissue.RIB
    return centres


def paint_shoulder_girdle(
    labels: NDArray[np.uint8], grid: PhantomGrid, anatomy: ChestAnatomy
) -> None:
    """Sternum, clavicles and scapulae."""
    front = -anatomy.rib_half_depth
    sternum_top = anatomy.lung_apex_z - 30.0
    sternum = np.array(
        [[0.0, front + 2.0, anatomy.heart_center[2] - 45.0], [0.0, front - 2.0, sternum_top]]
    )
    region = tube(grid, catmull_rom(sternum, 2.0), 7.0)
    _paint_bone(labels, region, Tissue.STERNUM)
    width = anatomy.rib_half_width
    clavicle_z = anatomy.lung_apex_z - 22.0
    for side, tissue in (("right", Tissue.RIGHT_CLAVICLE), ("left", Tissue.LEFT_CLAVICLE)):
        sign = -1.0 if side == "right" else 1.0
        points = np.array(
            [
                [sign * 16.0, front - 4.0, sternum_top + 4.0],
                [sign * width * 0.45, front - 2.0, clavicle_z + 8.0],
                [sign * width * 0.85, front * 0.35, clavicle_z + 18.0],
                [sign * width * 1.02, 0.0, clavicle_z + 20.0],
            ]
        )
        _paint_bone(labels, tube(grid, catmull_rom(points, 2.0), 6.0), tissue)
    for side, tissue in (("right", Tissue.RIGHT_SCAPULA), ("left", Tissue.LEFT_SCAPULA)):
        sign = -1.0 if side == "right" else 1.0
        centre = np.array(
            [sign * width * 0.62, anatomy.rib_half_depth * 0.78 + 8.0, clavicle_z - 55.0]
        )
        plate = ellipsoid(grid, centre, np.array([40.0, 3.0, 58.0]), rotation_deg=-sign * 32.0)
        _paint_bone(labels, plate, tissue)


def _paint_bone(labels: NDArray[np.uint8], region: Region | None, tissue: Tissue) -> None:
    if region is None:
        return
    view = labels[region.slices]
    view[region.mask & (view != Tissue.OUTSIDE) & ~np.isin(view, SPINE_TISSUES)] = tissue
