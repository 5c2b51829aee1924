"""A generated chest-CT-like phantom with its ground-truth grounded report (tests and demos).

The report's provenance is GROUND TRUTH of the generated volume: its text describes what
was drawn into the phantom, it is never presented as model output.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core import (
    Box,
    BoxOverlay,
    GroundedReport,
    GroundedText,
    ImageVolume,
    MaskOverlay,
    Phrase,
    Provenance,
    SourceKind,
    VolumeMetadata,
    WindowLevel,
    default_taxonomy,
)

SHAPE = (48, 128, 128)
SPACING = (2.5, 1.5, 1.5)
NODULE_CENTRE = (30, 45, 34)  # (z, y, x): in the right lung (low x = patient right)
NODULE_RADIUS_MM = 6.0


def _ellipsoid(
    centre: tuple[float, float, float], radii_mm: tuple[float, float, float]
) -> NDArray[np.bool_]:
    z, y, x = np.ogrid[: SHAPE[0], : SHAPE[1], : SHAPE[2]]
    terms = [
        ((axis - c) * s / r) ** 2
        for axis, c, s, r in zip((z, y, x), centre, SPACING, radii_mm, strict=True)
    ]
    return np.asarray(terms[0] + terms[1] + terms[2] <= 1.0)


def make_phantom() -> tuple[ImageVolume, dict[str, NDArray[np.bool_]]]:
    """The CT-like volume (HU) and the boolean region of each drawn structure."""
    voxels = np.full(SHAPE, -1000, dtype=np.int16)
    body = _ellipsoid((24, 64, 64), (400.0, 75.0, 90.0))
    right_lung = _ellipsoid((24, 60, 40), (45.0, 48.0, 28.0))
    left_lung = _ellipsoid((24, 60, 88), (45.0, 48.0, 28.0))
    heart = _ellipsoid((20, 50, 70), (25.0, 25.0, 22.0)) & ~right_lung
    spine = _ellipsoid((24, 110, 64), (400.0, 9.0, 9.0))
    nodule = _ellipsoid(NODULE_CENTRE, (NODULE_RADIUS_MM,) * 3)
    rng = np.random.default_rng(7)
    voxels[body] = 40
    voxels[right_lung | left_lung] = -850
    voxels[heart] = 45
    voxels[spine] = 700
    voxels[nodule] = 30
    noise = rng.normal(0.0, 12.0, SHAPE).astype(np.int16)
    voxels = np.where(body, voxels + noise, voxels).astype(np.int16)
    volume = ImageVolume(
        voxels,
        spacing=SPACING,
        origin=(-96.0, -96.0, -60.0),
        modality="CT",
        window=WindowLevel(center=-600, width=1500),
        metadata=VolumeMetadata(series_description="generated chest phantom", units="HU"),
    )
    regions = {
        "right lung": right_lung & ~nodule,
        "left lung": left_lung & ~heart,
        "heart": heart,
        "lung nodule": nodule,
    }
    return volume, regions


def make_sample_case() -> tuple[ImageVolume, GroundedReport]:
    """The phantom and a ground-truth report whose phrases link to its masks and box."""
    volume, regions = make_phantom()
    taxonomy = default_taxonomy()
    geometry = volume.geometry
    overlays: list[MaskOverlay | BoxOverlay] = [
        MaskOverlay(
            name,
            regions[name].astype(np.uint8),
            geometry,
            taxonomy.colour_of(name),
            overlay_id=f"gt-{name.replace(' ', '-')}",
        )
        for name in ("right lung", "left lung", "heart")
    ]
    low, high = (
        np.argwhere(regions["lung nodule"]).min(axis=0),
        np.argwhere(regions["lung nodule"]).max(axis=0),
    )
    overlays.append(
        BoxOverlay(
            "lung nodule",
            [Box(tuple(low.tolist()), tuple(high.tolist()))],
            geometry,
            taxonomy.colour_of("lung nodule"),
            overlay_id="gt-lung-nodule",
        )
    )
    text = (
        "The right lung and the left lung are aerated. "
        "A 12 mm lung nodule lies in the right lung. "
        "The heart is of normal size."
    )
    phrases = []
    cursor = 0
    for target, words in (
        ("right lung", "right lung"),
        ("left lung", "left lung"),
        ("lung nodule", "lung nodule"),
        ("heart", "heart"),
    ):
        start = text.index(words, cursor if target != "heart" else 0)
        phrases.append(
            Phrase(start, start + len(words), target, (f"gt-{target.replace(' ', '-')}",))
        )
        cursor = start + len(words)
    report = GroundedReport(
        body=GroundedText(text, phrases),
        overlays={o.overlay_id: o for o in overlays},
        provenance=Provenance(
            kind=SourceKind.GROUND_TRUTH,
            name="generated test volume",
            note="synthetic phantom, not a patient",
        ),
        image_reference="generated chest phantom",
    )
    return volume, report
