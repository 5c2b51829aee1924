"""Abnormalities drawn from the taxonomy: what to draw (a plan) and drawing it into the phantom."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.synthesis.phantom.anatomy_parameters import ChestAnatomy
from training.synthesis.phantom.grid import PhantomGrid, Region, ellipsoid, random_wobble
from training.synthesis.phantom.labels import Tissue
from training.synthesis.phantom.skeleton import RibFractureSpec
from training.synthesis.phantom.thorax import lung_profile, lung_radius

LOBES: dict[Tissue, tuple[str, str]] = {
    Tissue.RIGHT_UPPER_LOBE: ("right upper lobe", "right"),
    Tissue.RIGHT_MIDDLE_LOBE: ("right middle lobe", "right"),
    Tissue.RIGHT_LOWER_LOBE: ("right lower lobe", "right"),
    Tissue.LEFT_UPPER_LOBE: ("left upper lobe", "left"),
    Tissue.LEFT_LOWER_LOBE: ("left lower lobe", "left"),
}
SIDE_LOBES = {
    side: np.array([t for t, (_, s) in LOBES.items() if s == side], np.uint8)
    for side in ("right", "left")
}
EFFUSION_HEIGHT_MM = {"small": 22.0, "moderate": 45.0, "large": 75.0}
PNEUMOTHORAX_DEPTH_MM = {"small": 7.0, "moderate": 16.0, "large": 28.0}


@dataclass
class FindingPlan:
    """Which abnormalities a phantom gets, before they are placed."""

    nodules: list[tuple[Tissue, float, str]] = field(default_factory=list)  # lobe, mm, kind
    effusion_sides: list[str] = field(default_factory=list)
    effusion_size: str = "small"
    pneumothorax_side: str | None = None
    pneumothorax_size: str = "small"
    cardiomegaly: bool = False
    consolidation_lobe: Tissue | None = None
    consolidation_radius_mm: float = 25.0
    rib_fractures: list[RibFractureSpec] = field(default_factory=list)


def sample_plan(rng: np.random.Generator, abnormality_rate: float = 0.3) -> FindingPlan:
    """Draw each abnormality independently with probability about ``abnormality_rate``."""
    plan = FindingPlan()
    lobes = list(LOBES)
    if rng.random() < abnormality_rate * 1.2:
        for _ in range(int(rng.integers(1, 4))):
            diameter = float(np.round(np.exp(rng.uniform(np.log(4.0), np.log(30.0)))))
            kind = "ground-glass" if rng.random() < 0.2 else "solid"
            plan.nodules.append((lobes[int(rng.integers(len(lobes)))], diameter, kind))
    if rng.random() < abnormality_rate:
        draw = rng.random()
        plan.effusion_sides = (
            ["right"] if draw < 0.4 else ["left"] if draw < 0.75 else ["right", "left"]
        )
        plan.effusion_size = str(rng.choice(list(EFFUSION_HEIGHT_MM)))
    if rng.random() < abnormality_rate * 0.6:
        plan.pneumothorax_side = "right" if rng.random() < 0.5 else "left"
        plan.pneumothorax_size = str(rng.choice(list(PNEUMOTHORAX_DEPTH_MM)))
    plan.cardiomegaly = bool(rng.random() < abnormality_rate)
    if rng.random() < abnormality_rate:
        plan.consolidation_lobe = lobes[int(rng.integers(len(lobes)))]
        plan.consolidation_radius_mm = float(rng.uniform(16.0, 32.0))
    if rng.random() < abnormality_rate * 0.6:
        plan.rib_fractures.append(
            RibFractureSpec(
                side="right" if rng.random() < 0.5 else "left",
                rib=int(rng.integers(3, 11)),
                position=float(rng.uniform(0.3, 0.6)),
                displacement_mm=float(rng.uniform(0.0, 4.0)),
            )
        )
    return plan


@dataclass
class PlacedFinding:
    """One drawn instance: its taxonomy target, region and descriptive facts."""

    target: str
    region: Region
    facts: dict[str, Any]


def _side_region(grid: PhantomGrid, anatomy: ChestAnatomy, side: str) -> Region:
    centre, half = anatomy.lung_center_x(side), anatomy.lung_half_width
    depth = anatomy.cavity_half_depth
    low = np.array([centre - half - 2, -depth - 2, anatomy.base_z(side) - 8])
    high = np.array([centre + half + 2, depth + 2, anatomy.lung_apex_z + 2])
    slices = grid.box_slices(low, high)
    assert slices is not None
    return Region(slices, np.zeros(tuple(s.stop - s.start for s in slices), dtype=bool))


def paint_pleural_findings(
    labels: NDArray[np.uint8], grid: PhantomGrid, anatomy: ChestAnatomy, plan: FindingPlan
) -> list[PlacedFinding]:
    """Effusions (dependent fluid with a meniscus) and pneumothorax (apical/lateral air)."""
    placed = []
    depth = anatomy.cavity_half_depth
    for side in plan.effusion_sides:
        region = _side_region(grid, anatomy, side)
        z, y, _ = grid.coordinates(region.slices)
        view = labels[region.slices]
        height = EFFUSION_HEIGHT_MM[plan.effusion_size]
        across = (y + depth) / (2 * depth)
        fluid = np.isin(view, SIDE_LOBES[side]) & (
            z < anatomy.base_z(side) + anatomy.dome_height * 0.5 + height * (0.3 + 0.7 * across)
        )
        if fluid.any():
            view[fluid] = Tissue.EFFUSION
            region.mask = fluid
            placed.append(
                PlacedFinding(
                    "pleural effusion", region, {"side": side, "size": plan.effusion_size}
                )
            )
    if plan.pneumothorax_side is not None:
        side = plan.pneumothorax_side
        region = _side_region(grid, anatomy, side)
        z, y, x = grid.coordinates(region.slices)
        view = labels[region.slices]
        margin = PNEUMOTHORAX_DEPTH_MM[plan.pneumothorax_size] / anatomy.lung_half_width
        base = anatomy.base_z(side)
        upper = z > base + 0.4 * (anatomy.lung_apex_z - base)
        lateral = np.abs(x) > abs(anatomy.lung_center_x(side)) - 0.3 * anatomy.lung_half_width
        rim = lung_radius(anatomy, side, x, y) >= lung_profile(anatomy, side, z) - margin
        air = np.isin(view, SIDE_LOBES[side]) & upper & lateral & rim
        if air.any():
            view[air] = Tissue.PNEUMOTHORAX
            region.mask = air
            placed.append(
                PlacedFinding(
                    "pneumothorax", region, {"side": side, "size": plan.pneumothorax_size}
                )
            )
    return placed


def _random_voxel(rng: np.random.Generator, mask: NDArray[np.bool_]) -> tuple[int, int, int] | None:
    indices = np.flatnonzero(mask)
    if not len(indices):
        return None
    z, y, x = np.unravel_index(int(indices[int(rng.integers(len(indices)))]), mask.shape)
    return int(z), int(y), int(x)


def _point_mm(grid: PhantomGrid, index: tuple[int, int, int]) -> NDArray[np.float64]:
    return np.array([grid.x_mm[index[2]], grid.y_mm[index[1]], grid.z_mm[index[0]]])


def paint_parenchymal_findings(
    labels: NDArray[np.uint8],
    grid: PhantomGrid,
    plan: FindingPlan,
    rng: np.random.Generator,
) -> list[PlacedFinding]:
    """Consolidation inside a lobe, then nodules fully inside lung tissue."""
    placed = []
    lobe = plan.consolidation_lobe
    if lobe is not None:
        seed_voxel = _random_voxel(rng, labels == lobe)
        if seed_voxel is not None:
            radius = plan.consolidation_radius_mm
            radii = np.array([radius, radius * rng.uniform(0.7, 1.0), radius * 1.2])
            shape = ellipsoid(
                grid, _point_mm(grid, seed_voxel), radii, 0.0, random_wobble(rng, 0.15)
            )
            if shape is not None:
                view = labels[shape.slices]
                shape.mask &= view == lobe
                view[shape.mask] = Tissue.CONSOLIDATION
                name, side = LOBES[lobe]
                placed.append(PlacedFinding("consolidation", shape, {"lobe": name, "side": side}))
    for lobe, diameter, kind in plan.nodules:
        for _attempt in range(40):
            voxel = _random_voxel(rng, labels == lobe)
            if voxel is None:
                break
            centre = _point_mm(grid, voxel)
            shape = ellipsoid(grid, centre, np.full(3, diameter / 2), 0.0, random_wobble(rng, 0.08))
            margin = ellipsoid(grid, centre, np.full(3, diameter / 2 + 2.5))
            if shape is None or margin is None or not shape.mask.any():
                continue
            if not np.all(
                np.isin(labels[margin.slices][margin.mask], SIDE_LOBES["right"])
                | np.isin(labels[margin.slices][margin.mask], SIDE_LOBES["left"])
            ):
                continue
            labels[shape.slices][shape.mask] = Tissue.NODULE
            name, side = LOBES[lobe]
            facts = {"lobe": name, "side": side, "diameter_mm": diameter, "kind": kind}
            placed.append(PlacedFinding("lung nodule", shape, facts))
            break
    return placed


def rib_fracture_regions(
    labels: NDArray[np.uint8], grid: PhantomGrid, plan: FindingPlan, centres: dict[int, Any]
) -> list[PlacedFinding]:
    """The rib bone within 9 mm of each fracture centre."""
    placed = []
    for number, centre in sorted(centres.items()):
        shape = ellipsoid(grid, np.asarray(centre), np.full(3, 9.0))
        if shape is None:
            continue
        shape.mask &= labels[shape.slices] == Tissue.RIB
        if not shape.mask.any():
            continue
        spec = plan.rib_fractures[number]
        facts = {"side": spec.side, "rib": spec.rib, "displaced": spec.displacement_mm >= 1.5}
        placed.append(PlacedFinding("rib fracture", shape, facts))
    return placed
