"""Window/level (display contrast) values and the standard CT presets."""

from __future__ import annotations

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

    @classmethod
    def from_range(cls, lower: float, upper: float) -> WindowLevel:
        """The window that spans ``[lower, upper]`` (a degenerate range gets width 1)."""
        width = max(float(upper) - float(lower), 1.0)
        return cls(center=(float(lower) + float(upper)) / 2.0, width=width)


def percentile_window(
    voxels: NDArray[np.generic], low: float = 0.1, high: float = 99.9
) -> WindowLevel:
    """The window spanning the ``low``–``high`` percentile range of the voxels.

    Large volumes are subsampled (every k-th voxel) so this stays fast.
    """
    flat = np.asarray(voxels).reshape(-1)
    step = max(1, flat.size // 2_000_000)
    sample = flat[::step]
    lower, upper = np.percentile(sample, [low, high])
    return WindowLevel.from_range(float(lower), float(upper))


# The presets radiologists expect on keys 1–5 (VIEWER.md).
WINDOW_PRESETS: dict[str, WindowLevel] = {
    "soft tissue": WindowLevel(center=40, width=400),
    "lung": WindowLevel(center=-600, width=1500),
    "liver": WindowLevel(center=90, width=150),
    "bone": WindowLevel(center=480, width=2500),
    "brain": WindowLevel(center=40, width=80),
}
