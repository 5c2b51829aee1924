"""Intensity scaling to [0, 1]: a window or a percentile range, then MONOCHROME1 inversion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from model.processor.image_input import IntensityWindow, ModelImage

MAX_PERCENTILE_SAMPLES = 2_000_000


@dataclass(frozen=True)
class IntensityRecord:
    """How intensities were mapped: ``(value − lower) / (upper − lower)`` clipped, then inverted?"""

    lower: float
    upper: float
    inverted: bool
    source: str

    def to_dict(self) -> dict[str, object]:
        return {
            "lower": self.lower,
            "upper": self.upper,
            "inverted": self.inverted,
            "source": self.source,
        }


def percentile_range(
    voxels: NDArray[np.generic], low: float = 0.5, high: float = 99.5
) -> tuple[float, float]:
    """The ``low``–``high`` percentile values (large volumes subsampled with a fixed stride)."""
    flat = np.asarray(voxels).reshape(-1)
    step = max(1, flat.size // MAX_PERCENTILE_SAMPLES)
    lower, upper = np.percentile(flat[::step].astype(np.float64), [low, high])
    return float(lower), float(upper)


def scale_intensity(
    volume: ModelImage,
    window: IntensityWindow | None = None,
    percentiles: tuple[float, float] = (0.5, 99.5),
) -> tuple[NDArray[np.float32], IntensityRecord]:
    """Map a volume's voxels to [0, 1] float32 and record how.

    A given window (CT presets, a user's choice) clips to its bounds; otherwise the
    0.5–99.5 percentile range is used, for CT and every other modality. Either way the
    clipped range is min-max scaled (the window bounds are the range; MONAI's
    ``ScaleIntensityRange(clip=True)`` does the same, but needs no import here).
    ``invert_for_display`` (MONOCHROME1) flips the result so bone is bright.
    """
    if window is not None:
        lower, upper, source = window.lower, window.upper, "window"
    else:
        lower, upper = percentile_range(volume.voxels, *percentiles)
        source = f"percentile {percentiles[0]}-{percentiles[1]}"
    # One float32 copy, then in-place arithmetic: large CTs stay at one volume of memory.
    scaled = np.array(volume.voxels, dtype=np.float32, copy=True)
    if upper > lower:
        scaled -= np.float32(lower)
        scaled /= np.float32(upper - lower)
        np.clip(scaled, 0.0, 1.0, out=scaled)
    else:
        scaled.fill(0.0)
    inverted = bool(volume.invert_for_display)
    if inverted:
        np.subtract(np.float32(1.0), scaled, out=scaled)
    record = IntensityRecord(
        lower=float(lower), upper=float(upper), inverted=inverted, source=source
    )
    return scaled, record
