"""``generate_phantom(seed)``: a deterministic synthetic chest CT, its DRR, labels and reports."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.synthesis.phantom.anatomy_parameters import ChestAnatomy, sample_anatomy
from training.synthesis.phantom.case import PhantomCase
from training.synthesis.phantom.drr import project_box, project_mask, render_drr
from training.synthesis.phantom.findings import (
    FindingPlan,
    PlacedFinding,
    paint_parenchymal_findings,
    paint_pleural_findings,
    rib_fracture_regions,
    sample_plan,
)
from training.synthesis.phantom.grid import PhantomGrid, Region
from training.synthesis.phantom.intensities import hounsfield, lung_vessels
from training.synthesis.phantom.labels import ANATOMY_TARGET_TISSUES, Tissue
from training.synthesis.phantom.mediastinum import paint_mediastinum
from training.synthesis.phantom.report_writer import write_report
from training.synthesis.phantom.skeleton import paint_ribs, paint_shoulder_girdle, paint_spine
from training.synthesis.phantom.thorax import paint_abdomen, paint_body, paint_lungs
from vividmed_viewer.core import Box, ImageVolume, VolumeMetadata, WindowLevel
from vividmed_viewer.core.image_volume import SpacingSource

logger = logging.getLogger(__name__)
PLEURAL_TARGETS = ("pleural effusion", "pneumothorax")
LUNG_TARGETS = tuple(name for name in ANATOMY_TARGET_TISSUES if "lung" in name or "lobe" in name)


@dataclass(frozen=True)
class PhantomConfig:
    """Size and content ranges of generated phantoms."""

    in_plane: int = 256
    slices: tuple[int, int] = (96, 128)
    slice_spacings: tuple[float, ...] = (2.0, 2.5)
    field_of_view_mm: tuple[float, float] = (330.0, 380.0)
    abnormality_rate: float = 0.3
    noise_hu: tuple[float, float] = (8.0, 18.0)
    vessels_per_lung: int = 14
    pixel_spacing_limits: tuple[float, float] = (0.7, 1.5)


def _box_of(region: Region) -> Box:
    coordinates = np.argwhere(region.mask)
    offset = np.array([s.start or 0 for s in region.slices])
    low, high = coordinates.min(axis=0) + offset, coordinates.max(axis=0) + offset
    return Box(
        (float(low[0]), float(low[1]), float(low[2])),
        (float(high[0]), float(high[1]), float(high[2])),
    )


def _sample_grid(rng: np.random.Generator, config: PhantomConfig) -> PhantomGrid:
    slices = int(rng.integers(config.slices[0], config.slices[1] + 1))
    slice_spacing = float(rng.choice(np.asarray(config.slice_spacings)))
    low, high = config.pixel_spacing_limits
    pixel = float(np.clip(rng.uniform(*config.field_of_view_mm) / config.in_plane, low, high))
    return PhantomGrid((slices, config.in_plane, config.in_plane), (slice_spacing, pixel, pixel))


def _paint_anatomy(
    grid: PhantomGrid, anatomy: ChestAnatomy, plan: FindingPlan, rng: np.random.Generator
) -> tuple[NDArray[np.uint8], dict[int, Any]]:
    labels = np.zeros(grid.shape, dtype=np.uint8)
    paint_body(labels, grid, anatomy)
    paint_lungs(labels, grid, anatomy)
    paint_abdomen(labels, grid, anatomy, rng)
    paint_mediastinum(labels, grid, anatomy)
    paint_spine(labels, grid, anatomy)
    centres = paint_ribs(labels, grid, anatomy, plan.rib_fractures)
    paint_shoulder_girdle(labels, grid, anatomy)
    return labels, centres


def _cardiothoracic_ratio(
    heart: NDArray[np.bool_], grid: PhantomGrid, anatomy: ChestAnatomy
) -> float:
    columns = np.flatnonzero(heart.any(axis=(0, 1)))
    if not len(columns):
        return 0.0
    heart_width = (columns[-1] - columns[0] + 1) * grid.spacing[2]
    return float(heart_width / (2.0 * (anatomy.rib_half_width - 4.5)))


def generate_phantom(seed: int, config: PhantomConfig | None = None) -> PhantomCase:
    """The phantom for ``seed``: the same seed always gives identical arrays and text."""
    config = config or PhantomConfig()
    rng = np.random.default_rng(seed)
    grid = _sample_grid(rng, config)
    plan = sample_plan(rng, config.abnormality_rate)
    anatomy = sample_anatomy(rng, grid, plan.cardiomegaly)
    labels, fracture_centres = _paint_anatomy(grid, anatomy, plan, rng)
    anatomy_masks = {
        target: np.isin(labels, np.array(tissues, np.uint8))
        for target, tissues in ANATOMY_TARGET_TISSUES.items()
    }
    anatomy_masks["body"] = labels != Tissue.OUTSIDE
    placed: list[PlacedFinding] = paint_pleural_findings(labels, grid, anatomy, plan)
    for finding in placed:
        for target in LUNG_TARGETS:
            anatomy_masks[target][finding.region.slices] &= ~finding.region.mask
    placed += paint_parenchymal_findings(labels, grid, plan, rng)
    placed += rib_fracture_regions(labels, grid, plan, fracture_centres)
    ratio = _cardiothoracic_ratio(anatomy_masks["heart"], grid, anatomy)
    if plan.cardiomegaly:
        everything = (slice(None), slice(None), slice(None))
        heart = Region(everything, anatomy_masks["heart"])
        placed.append(PlacedFinding("cardiomegaly", heart, {"cardiothoracic_ratio": ratio}))
    vessels = lung_vessels(labels, grid, anatomy, rng, config.vessels_per_lung)
    hu = hounsfield(labels, grid, vessels, rng, float(rng.uniform(*config.noise_hu)))
    ct = ImageVolume(
        hu,
        spacing=grid.spacing,
        origin=grid.origin_lps,
        modality="CT",
        window=WindowLevel(center=-600.0, width=1500.0),
        metadata=VolumeMetadata(
            series_description=f"synthetic chest CT phantom (seed {seed})",
            body_part="CHEST",
            units="HU",
            spacing_source=SpacingSource.POSITIONS,
        ),
    )
    ct_masks = {t: m.astype(np.uint8) for t, m in anatomy_masks.items() if m.any()}
    ct_boxes: dict[str, list[Box]] = {}
    findings: dict[str, Any] = {"cardiothoracic_ratio": round(ratio, 3)}
    for finding in placed:
        union = ct_masks.setdefault(finding.target, np.zeros(grid.shape, np.uint8))
        union[finding.region.slices] |= finding.region.mask.astype(np.uint8)
        ct_boxes.setdefault(finding.target, []).append(_box_of(finding.region))
        findings.setdefault(finding.target, []).append(finding.facts)
    drr, projection = render_drr(hu, grid.spacing, grid.origin_lps, rng)
    drr_masks = {t: project_mask(m, projection) for t, m in ct_masks.items()}
    drr_boxes = {t: [project_box(b, projection) for b in boxes] for t, boxes in ct_boxes.items()}
    report, tags = write_report(findings, "ct", np.random.default_rng([seed, 1]), set(ct_masks))
    drr_report, drr_tags = write_report(
        findings,
        "drr",
        np.random.default_rng([seed, 2]),
        {t for t, m in drr_masks.items() if m.any()},
    )
    logger.info("phantom %d: %s, findings %s", seed, ct.describe(), sorted(ct_boxes))
    return PhantomCase(
        seed=seed,
        ct=ct,
        ct_masks=ct_masks,
        ct_boxes=ct_boxes,
        drr=drr,
        drr_masks=drr_masks,
        drr_boxes=drr_boxes,
        report=report,
        tags=tags,
        drr_report=drr_report,
        drr_tags=drr_tags,
        findings=findings,
    )
