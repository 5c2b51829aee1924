"""Overlays cut by one slice: mask label maps as RGBA images, boxes as pixel rectangles.

Overlays on another grid than the image are resampled onto the image grid with nearest
neighbour, one slice at a time (no full-volume copy).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.overlay_style import MaskDisplay, OverlayStyle
from vividmed_viewer.core.overlays import BoxOverlay, Colour, MaskOverlay
from vividmed_viewer.render.slice_geometry import SliceAxes

HIGHLIGHT_BRIGHTEN = 0.45


def brighter(colour: Colour, amount: float = HIGHLIGHT_BRIGHTEN) -> Colour:
    """``colour`` moved ``amount`` of the way towards white."""
    r, g, b = (round(c + (255 - c) * amount) for c in colour)
    return (r, g, b)


def mask_slice(
    overlay: MaskOverlay,
    image_geometry: GridGeometry,
    axes: SliceAxes,
    index: int,
    same_grid: bool | None = None,
) -> NDArray[np.bool_]:
    """The overlay's region on image slice ``index``, as a 2D image like the slice image.

    ``same_grid``: whether the overlay lies on the image grid, when the caller knows.
    """
    if same_grid is None:
        same_grid = overlay.geometry.same_grid(image_geometry)
    if same_grid:
        return axes.extract(overlay.label_map, index) != 0
    width, height = axes.image_size
    pixel_v, pixel_u = np.mgrid[0:height, 0:width]
    indices = np.zeros((height, width, 3))
    indices[..., axes.slice_axis] = index
    indices[..., axes.right_axis] = pixel_u if axes.right_sign > 0 else width - 1 - pixel_u
    indices[..., axes.up_axis] = pixel_v if axes.up_sign > 0 else height - 1 - pixel_v
    to_overlay = overlay.geometry.inverse_affine @ image_geometry.affine
    mapped = np.rint(indices @ to_overlay[:3, :3].T + to_overlay[:3, 3]).astype(np.int64)
    shape = np.asarray(overlay.geometry.shape)
    inside = np.all((mapped >= 0) & (mapped < shape), axis=-1)
    region = np.zeros((height, width), dtype=bool)
    z, y, x = (mapped[inside][:, a] for a in range(3))
    region[inside] = overlay.label_map[z, y, x] != 0
    return region


def _erode(region: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """4-neighbour erosion; pixels on the image border count as edge pixels."""
    padded = np.pad(region, 1, constant_values=False)
    return region & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]


def outline_of(region: NDArray[np.bool_], thickness: int = 1) -> NDArray[np.bool_]:
    """Pixels of ``region`` within ``thickness`` pixels of its edge."""
    inner = region
    for _ in range(thickness):
        inner = _erode(inner)
    return region & ~inner


def mask_rgba(
    region: NDArray[np.bool_],
    style: OverlayStyle,
    display: MaskDisplay,
    highlighted: bool = False,
) -> NDArray[np.uint8]:
    """RGBA image (h, w, 4) of a region drawn as fill, outline or both."""
    colour = brighter(style.colour) if highlighted else style.colour
    fill_alpha = min(1.0, style.opacity + 0.3) if highlighted else style.opacity
    rgba = np.zeros((*region.shape, 4), dtype=np.uint8)
    rgba[..., :3] = colour
    if display in ("fill", "both"):
        rgba[..., 3] = np.where(region, round(255 * fill_alpha), 0)
    if display in ("outline", "both"):
        edge = outline_of(region, 2 if highlighted else 1)
        rgba[..., 3] = np.where(edge, 255, rgba[..., 3])
    return rgba


def boxes_on_slice(
    overlay: BoxOverlay, image_geometry: GridGeometry, axes: SliceAxes, index: int
) -> list[tuple[float, float, float, float]]:
    """Pixel rectangles (u0, v0, u1, v1) covering the boxes that cross slice ``index``.

    Edges lie on voxel edges: a box over voxels 3..5 spans pixels 2.5..5.5.
    """
    to_image = image_geometry.inverse_affine @ overlay.geometry.affine
    rectangles = []
    for box in overlay.boxes:
        corners = np.array(
            [
                [z, y, x]
                for z in (box.minimum[0], box.maximum[0])
                for y in (box.minimum[1], box.maximum[1])
                for x in (box.minimum[2], box.maximum[2])
            ]
        )
        in_image = corners @ to_image[:3, :3].T + to_image[:3, 3]
        low, high = in_image.min(axis=0), in_image.max(axis=0)
        if not low[axes.slice_axis] - 0.5 <= index <= high[axes.slice_axis] + 0.5:
            continue
        u0, v0, u1, v1 = axes.index_range_to_pixels(low, high)
        rectangles.append((u0 - 0.5, v0 - 0.5, u1 + 0.5, v1 + 0.5))
    return rectangles


def overlay_contains(
    overlay: MaskOverlay | BoxOverlay, image_geometry: GridGeometry, index: NDArray[np.float64]
) -> bool:
    """Whether image voxel ``index`` (z, y, x) lies inside the overlay's region."""
    point = image_geometry.index_to_patient(index)
    overlay_index = overlay.geometry.patient_to_index(point)
    if isinstance(overlay, MaskOverlay):
        voxel = np.rint(overlay_index).astype(int)
        if np.any(voxel < 0) or np.any(voxel >= np.asarray(overlay.geometry.shape)):
            return False
        return bool(overlay.label_map[voxel[0], voxel[1], voxel[2]] != 0)
    return any(
        all(box.minimum[a] - 0.5 <= overlay_index[a] <= box.maximum[a] + 0.5 for a in range(3))
        for box in overlay.boxes
    )
