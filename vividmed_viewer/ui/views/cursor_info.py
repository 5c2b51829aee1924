"""``CursorInfo``: what lies under the mouse in a slice view (for the status bar)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CursorInfo:
    """The view, voxel index (z, y, x), LPS position (mm), voxel value and its units."""

    view: str
    index: tuple[int, int, int]
    patient: tuple[float, float, float]
    value: float | None
    units: str = "raw"
    position: str = ""  # as the status bar shows it: mm (LPS) or px without spacing
