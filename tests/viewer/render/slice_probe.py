"""Render a SliceScene offscreen and find voxels on the screen (shared by the slice tests)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core import ImageVolume, WindowLevel
from vividmed_viewer.render.offscreen import OffscreenLayout
from vividmed_viewer.render.slice_scene import SliceScene

SIZE = (200, 160)


class SceneProbe:
    """One scene in an offscreen window; renders and samples the pixel of a voxel."""

    def __init__(self, scene: SliceScene, size: tuple[int, int] = SIZE) -> None:
        self.scene = scene
        self.layout = OffscreenLayout([scene.renderer], "2d", size)
        scene.reset_camera()

    def frame(self) -> NDArray[np.uint8]:
        return self.layout.render()

    def screen_xy(self, index: tuple[float, float, float]) -> tuple[int, int]:
        """(column, row) of a voxel centre in the rendered frame (top row first)."""
        x, y = self.scene.index_to_display(index)
        return round(x), self.layout.size[1] - 1 - round(y)

    def pixel(
        self, frame: NDArray[np.uint8], index: tuple[float, float, float]
    ) -> NDArray[np.uint8]:
        column, row = self.screen_xy(index)
        return frame[row, column]


def blank_volume(
    shape: tuple[int, int, int] = (12, 20, 24),
    spacing: tuple[float, float, float] = (2.0, 1.0, 1.0),
    direction: NDArray[np.float64] | None = None,
) -> ImageVolume:
    """A volume of zeros shown with a window that maps them to black."""
    extra = {} if direction is None else {"direction": direction}
    return ImageVolume(
        np.zeros(shape, dtype=np.int16),
        spacing=spacing,
        modality="CT",
        window=WindowLevel(center=500.0, width=100.0),
        **extra,
    )


def bright_bbox(frame: NDArray[np.uint8], threshold: int = 128) -> tuple[int, int, int, int]:
    """(row0, col0, row1, col1) of pixels brighter than threshold in the red channel."""
    rows, columns = np.nonzero(frame[..., 0] > threshold)
    return int(rows.min()), int(columns.min()), int(rows.max()), int(columns.max())
