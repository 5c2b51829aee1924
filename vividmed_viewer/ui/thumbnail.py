"""Turn an image (one slice of it) into a small grey thumbnail for the study browser."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from vividmed_viewer.core import ImageVolume

THUMBNAIL_SIZE = 96


def thumbnail_pixels(volume: ImageVolume) -> NDArray[np.uint8]:
    """The middle slice windowed to 0–255 (MONOCHROME1 inverted so bone is bright)."""
    middle = volume.voxels[volume.shape[0] // 2]
    grey = volume.display_window.apply(middle)
    if volume.invert_for_display:
        grey = 1.0 - grey
    return np.ascontiguousarray((grey * 255.0).round().astype(np.uint8))


def pixels_to_pixmap(
    pixels: NDArray[np.uint8], aspect_y_over_x: float = 1.0, size: int = THUMBNAIL_SIZE
) -> QPixmap:
    """A pixmap of ``pixels`` scaled to fit ``size`` (call on the GUI thread)."""
    rows, columns = pixels.shape
    image = QImage(pixels.data, columns, rows, columns, QImage.Format.Format_Grayscale8).copy()
    height = max(1, round(rows * aspect_y_over_x))
    image = image.scaled(
        columns,
        height,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return QPixmap.fromImage(
        image.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    )


def pixel_aspect(volume: ImageVolume) -> float:
    """Row spacing over column spacing (so thumbnails keep the patient's proportions)."""
    _, row_spacing, column_spacing = volume.spacing
    return float(row_spacing / column_spacing)
