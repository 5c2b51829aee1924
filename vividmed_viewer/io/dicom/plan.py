"""Decide, from headers only, how a series' frames map onto a regular voxel grid."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.core.geometry import default_direction, direction_from_dicom
from vividmed_viewer.core.study import Series, SeriesKind
from vividmed_viewer.io.dicom.header import FrameInfo, SliceHeader
from vividmed_viewer.io.dicom.scan import read_headers
from vividmed_viewer.io.dicom.spacing import plan_slices
from vividmed_viewer.io.dicom.stacking import Stack, build_stacks
from vividmed_viewer.io.dicom.volume_facts import InPlaneSpacing, in_plane_spacing

logger = logging.getLogger(__name__)
SHEAR_TOLERANCE_DEGREES = 0.5


@dataclass
class SeriesPlan:
    """Sorted frames of one stack, the output slice of each, and the grid's geometry."""

    stack: Stack
    frames: list[FrameInfo]
    z_index: list[int]
    slice_count: int
    slice_spacing: float
    in_plane: InPlaneSpacing
    origin: tuple[float, float, float]
    direction: NDArray[np.float64]
    warnings: list[str] = field(default_factory=list)
    filled: list[int] = field(default_factory=list)

    @property
    def first_header(self) -> SliceHeader:
        return self.stack.headers[0]

    @property
    def spacing(self) -> tuple[float, float, float]:
        return (self.slice_spacing, self.in_plane.row, self.in_plane.column)


def _name(frame: FrameInfo) -> str:
    return (
        frame.path.name if frame.frame_index == 0 else f"{frame.path.name}[{frame.frame_index + 1}]"
    )


def _select_stack(series: Series, stacks: list[Stack], where: Path) -> Stack:
    if len(stacks) == 1 or (not series.stack_label and stacks):
        # The series' own files hold one stack (labels only tell stacks of a file set apart).
        return stacks[0]
    for stack in stacks:
        if stack.label == series.stack_label:
            return stack
    labels = ", ".join(repr(s.label) for s in stacks)
    raise DicomError(
        where,
        f"stack {series.stack_label!r} of series {series.series_instance_uid} is not "
        f"in its files any more (stacks found: {labels})",
    )


def _shear_warning(stack: Stack, frames: list[FrameInfo]) -> list[str]:
    normal = stack.normal
    if normal is None or len(frames) < 2:
        return []
    first, last = frames[0].position, frames[-1].position
    assert first is not None and last is not None
    step = np.asarray(last) - np.asarray(first)
    length = float(np.linalg.norm(step))
    if length == 0:
        return []
    angle = float(np.degrees(np.arccos(min(1.0, abs(float(np.dot(step, normal))) / length))))
    if angle <= SHEAR_TOLERANCE_DEGREES:
        return []
    return [
        f"slices are not stacked along their normal (tilt of {angle:.1f}°, e.g. gantry tilt); "
        "shown without shear correction, so positions away from the first slice are approximate"
    ]


def plan_series(series: Series) -> SeriesPlan:
    """Read the series' headers again and lay its frames on a grid (no pixels read)."""
    if series.kind is SeriesKind.NON_IMAGE:
        where = series.files[0] if series.files else Path(series.series_instance_uid)
        raise DicomError(
            where,
            f"series {series.description or series.series_instance_uid!r} "
            f"({series.modality}) is not an image and cannot be shown",
        )
    if not series.files:
        raise DicomError(Path(series.series_instance_uid), "the series lists no files")
    headers, warnings, _ = read_headers(list(series.files))
    images = [h for h in headers if h.is_image]
    if not images:
        raise DicomError(series.files[0], "none of the series' files could be read as an image")
    stack = _select_stack(series, build_stacks(images), series.files[0])
    frames = stack.frames
    names = [_name(f) for f in frames]
    header = stack.headers[0]
    fallback = header.spacing_between_slices or frames[0].slice_thickness
    if stack.positioned:
        slice_plan = plan_slices(stack.distances(), names, fallback)
        kept = [frames[i] for i in slice_plan.kept]
        warnings += slice_plan.warnings + _shear_warning(stack, kept)
        z_index, count, spacing = slice_plan.z_index, slice_plan.slice_count, slice_plan.spacing
        filled = slice_plan.filled
    else:
        kept, filled = frames, []
        z_index, count = list(range(len(frames))), len(frames)
        spacing = fallback if fallback and fallback > 0 else 1.0
        if len(frames) > 1:
            warnings.append(
                f"no slice positions: {len(frames)} frames stacked in instance order with an "
                f"assumed spacing of {spacing:.3g} mm"
            )
    orientation = stack.orientation
    direction = default_direction() if orientation is None else direction_from_dicom(orientation)
    position = kept[0].position
    origin = (0.0, 0.0, 0.0) if position is None else (position[0], position[1], position[2])
    return SeriesPlan(
        stack=stack,
        frames=kept,
        z_index=z_index,
        slice_count=count,
        slice_spacing=spacing,
        in_plane=in_plane_spacing(header, kept[0]),
        origin=origin,
        direction=direction,
        warnings=warnings,
        filled=filled,
    )
