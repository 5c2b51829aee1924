"""Window/level (display contrast) values, percentile windows and the standard CT presets."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import ValidationError


@dataclass(frozen=True)
class WindowLevel:
    """A display window: ``center`` (level) and ``width`` in the image's units (HU for CT)."""

    center: float
    width: float

    def __post_init__(self) -> None:
        if not np.isfinite(self.center) or not np.isfinite(self.width) or self.width <= 0:
            raise ValidationError(
                f"window width must be > 0 and both values finite, "
                f"got center={self.center}, width={self.width}"
            )

    @property
    def lower(self) -> float:
        return self.center - self.width / 2.0

    @property
    def upper(self) -> float:
        return self.center + self.width / 2.0

    def apply(self, values: NDArray[np.generic]) -> NDArray[np.float32]:
        """Map values to display intensities in [0, 1] (linear, clipped)."""
        scaled = (np.asarray(values, dtype=np.float32) - self.lower) / self.width
        return np.clip(scaled, 0.0, 1.0)

    def describe(self) -> str:
        """The window as views and CLIs show it: "W 400 L 40".

        Rounded to the window's own scale: whole numbers when the width is 10 or more (CT
        in HU, MR, 8/16-bit images), else three significant digits of the width with the
        level to the same decimals ("W 0.998 L 0.499" for a 0–1 image).
        """
        decimals = 0 if self.width >= 10 else 2 - math.floor(math.log10(self.width))
        return f"W {_rounded(self.width, decimals)} L {_rounded(self.center, decimals)}"

    @classmethod
    def from_range(cls, lower: float, upper: float) -> WindowLevel:
        """The window that spans ``[lower, upper]`` (an empty range gets width 1)."""
        lower, upper = float(lower), float(upper)
        width = upper - lower if upper > lower else 1.0
        return cls(center=(lower + upper) / 2.0, width=width)


def _rounded(value: float, decimals: int) -> str:
    """``value`` to ``decimals`` places, without trailing zeros or a negative zero."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


DISPLAY_PERCENTILES = (0.1, 99.9)
MAX_PERCENTILE_SAMPLES = 2_000_000


def percentile_range(
    voxels: NDArray[np.generic],
    low: float = DISPLAY_PERCENTILES[0],
    high: float = DISPLAY_PERCENTILES[1],
) -> tuple[float, float]:
    """The ``low``–``high`` percentile values of the voxels (percent, 0–100).

    Large arrays are subsampled with a fixed stride (at most about
    ``MAX_PERCENTILE_SAMPLES`` values) so this stays fast and gives the same answer on
    every call.
    """
    flat = np.asarray(voxels).reshape(-1)
    step = max(1, flat.size // MAX_PERCENTILE_SAMPLES)
    lower, upper = np.percentile(flat[::step].astype(np.float64, copy=False), [low, high])
    return float(lower), float(upper)


def percentile_window(
    voxels: NDArray[np.generic],
    low: float = DISPLAY_PERCENTILES[0],
    high: float = DISPLAY_PERCENTILES[1],
) -> WindowLevel:
    """The window spanning the ``low``–``high`` percentile range of the voxels.

    The default display window of an image without a stored one (0.1–99.9 percent).
    """
    return WindowLevel.from_range(*percentile_range(voxels, low, high))


# The presets radiologists expect on keys 1–5 (VIEWER.md).
WINDOW_PRESETS: dict[str, WindowLevel] = {
    "soft tissue": WindowLevel(center=40, width=400),
    "lung": WindowLevel(center=-600, width=1500),
    "liver": WindowLevel(center=90, width=150),
    "bone": WindowLevel(center=480, width=2500),
    "brain": WindowLevel(center=40, width=80),
}
