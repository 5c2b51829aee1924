"""How a position on an image reads: patient millimetres, or pixels without pixel spacing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.units import MILLIMETRES, PIXELS, length_unit


def format_patient_position(point: Iterable[float] | None) -> str:
    """LPS millimetres as radiologists read them: 'R 12.0  A 4.5  S 30.0 mm'; '' for None."""
    if point is None:
        return ""
    x, y, z = (float(v) for v in point)
    parts = [
        f"{'L' if x >= 0 else 'R'} {abs(x):.1f}",
        f"{'P' if y >= 0 else 'A'} {abs(y):.1f}",
        f"{'S' if z >= 0 else 'I'} {abs(z):.1f}",
    ]
    return "  ".join(parts) + f" {MILLIMETRES}"


def format_pixel_position(index: Sequence[int], is_2d: bool) -> str:
    """Voxel column, row (and slice) from 0: 'x 12  y 40 px' or 'x 12  y 40  z 3 px'."""
    z, y, x = (int(v) for v in index)
    parts = [f"x {x}", f"y {y}"] if is_2d else [f"x {x}", f"y {y}", f"z {z}"]
    return "  ".join(parts) + f" {PIXELS}"


def format_cursor_position(volume: ImageVolume, index: Sequence[int]) -> str:
    """Where voxel ``index`` (z, y, x) is, for the status bar.

    With known pixel spacing (``volume.spacing_known``, false when the image's
    :class:`~vividmed_viewer.core.image_volume.SpacingSource` is unknown, e.g. a PNG or
    a DICOM file without PixelSpacing): the patient position in LPS mm. Without it, mm
    would be invented, so the voxel's pixel coordinates are shown instead.
    """
    if length_unit(volume.spacing_known) == PIXELS:
        return format_pixel_position(index, volume.is_2d)
    return format_patient_position(volume.index_to_patient(list(index)))
