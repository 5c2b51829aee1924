"""Volume-rendering presets as data: colour and opacity transfer functions per tissue.

CT presets are in Hounsfield units. The MR preset is *relative*: its points are fractions
of the volume's 1–99.5 percentile intensity range, since MR intensities have no fixed scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import RenderError
from vividmed_viewer.core.window import percentile_range

ColourPoint = tuple[float, float, float, float]  # value, red, green, blue (0..1)
OpacityPoint = tuple[float, float]  # value, opacity (0..1)


@dataclass(frozen=True)
class VolumePreset:
    """Transfer functions and shading of one volume-rendering look."""

    name: str
    colour_points: tuple[ColourPoint, ...]
    opacity_points: tuple[OpacityPoint, ...]
    relative: bool = False
    shade: bool = True
    ambient: float = 0.2
    diffuse: float = 0.9
    specular: float = 0.2

    def resolved(
        self, intensity_range: tuple[float, float]
    ) -> tuple[list[ColourPoint], list[OpacityPoint]]:
        """Colour and opacity points in the volume's own units."""
        if not self.relative:
            return list(self.colour_points), list(self.opacity_points)
        low, high = intensity_range
        span = max(high - low, 1e-6)
        colours = [(low + v * span, r, g, b) for v, r, g, b in self.colour_points]
        opacities = [(low + v * span, o) for v, o in self.opacity_points]
        return colours, opacities


VOLUME_PRESETS: dict[str, VolumePreset] = {
    preset.name: preset
    for preset in (
        VolumePreset(
            name="CT bone",
            colour_points=(
                (-1000, 0.0, 0.0, 0.0),
                (150, 0.55, 0.25, 0.15),
                (300, 0.9, 0.82, 0.66),
                (1200, 1.0, 1.0, 0.95),
                (3000, 1.0, 1.0, 1.0),
            ),
            opacity_points=((-1000, 0.0), (150, 0.0), (300, 0.45), (1200, 0.85), (3000, 0.9)),
            specular=0.3,
        ),
        VolumePreset(
            name="CT soft tissue",
            colour_points=(
                (-1000, 0.0, 0.0, 0.0),
                (-500, 0.55, 0.25, 0.15),
                (-100, 0.85, 0.55, 0.4),
                (60, 0.95, 0.7, 0.6),
                (300, 1.0, 0.95, 0.85),
                (3000, 1.0, 1.0, 1.0),
            ),
            opacity_points=(
                (-1000, 0.0),
                (-500, 0.0),
                (-100, 0.05),
                (60, 0.25),
                (300, 0.6),
                (3000, 0.8),
            ),
            ambient=0.4,
            diffuse=0.7,
            specular=0.1,
        ),
        VolumePreset(
            name="CT lung",
            colour_points=(
                (-1000, 0.3, 0.3, 1.0),
                (-900, 0.5, 0.6, 1.0),
                (-600, 0.9, 0.75, 0.7),
                (-200, 1.0, 0.9, 0.85),
                (3000, 1.0, 1.0, 1.0),
            ),
            opacity_points=(
                (-1000, 0.0),
                (-950, 0.0),
                (-850, 0.15),
                (-600, 0.08),
                (-500, 0.0),
                (3000, 0.0),
            ),
            ambient=0.4,
            diffuse=0.7,
            specular=0.05,
        ),
        VolumePreset(
            name="MR",
            colour_points=(
                (0.0, 0.0, 0.0, 0.0),
                (0.2, 0.45, 0.3, 0.25),
                (0.5, 0.85, 0.75, 0.65),
                (1.0, 1.0, 1.0, 1.0),
            ),
            opacity_points=((0.0, 0.0), (0.15, 0.0), (0.35, 0.15), (0.7, 0.5), (1.0, 0.8)),
            relative=True,
            ambient=0.35,
            diffuse=0.75,
            specular=0.1,
        ),
    )
}


def default_preset_name(modality: str) -> str:
    """The preset a volume of this modality opens with (bone for CT, relative otherwise)."""
    return "CT bone" if modality.upper() == "CT" else "MR"


def get_preset(name: str) -> VolumePreset:
    """The preset called ``name``; raises RenderError listing the known names."""
    try:
        return VOLUME_PRESETS[name]
    except KeyError:
        known = ", ".join(VOLUME_PRESETS)
        raise RenderError(f"unknown volume preset {name!r} (known: {known})") from None


def intensity_range(voxels: NDArray[np.generic]) -> tuple[float, float]:
    """The 1–99.5 percentile range of a (subsampled) voxel array, for relative presets."""
    low, high = percentile_range(voxels, 1.0, 99.5)
    return low, max(high, low + 1e-6)
