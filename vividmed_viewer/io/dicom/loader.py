"""Load a scanned DICOM series (or one slice of it) as an :class:`ImageVolume`."""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.study import Series
from vividmed_viewer.io.dicom.decode_pool import (
    DecodeTask,
    build_tasks,
    decode_into,
    default_workers,
)
from vividmed_viewer.io.dicom.plan import SeriesPlan, plan_series
from vividmed_viewer.io.dicom.slice_writer import SliceWriter
from vividmed_viewer.io.dicom.volume_facts import (
    can_defer_intercept,
    header_window,
    output_dtype,
    storage_dtype,
    volume_metadata,
)
from vividmed_viewer.io.progress import CancelCheck, ProgressCallback, check_cancelled

logger = logging.getLogger(__name__)


def _fill_blank(voxels: NDArray[np.generic], filled: list[int]) -> None:
    """Give inserted/undecodable slices the lowest value of the rest (air for CT)."""
    if not filled:
        return
    present = np.setdiff1d(np.arange(voxels.shape[0]), filled)
    if present.size == 0:
        return
    voxels[filled] = min(voxels[int(z)].min() for z in present)


def _build_volume(
    plan: SeriesPlan, voxels: NDArray[np.generic], warnings: list[str]
) -> ImageVolume:
    header = plan.first_header
    paths = [str(h.path) for h in plan.stack.headers]
    metadata = volume_metadata(header, paths, plan.in_plane.source)
    if plan.stack.label:
        metadata.notes.append(f"stack: {plan.stack.label}")
    if header.samples_per_pixel > 1 or header.photometric_interpretation == "PALETTE COLOR":
        warnings.append(
            f"colour image ({header.photometric_interpretation}) converted to grayscale"
        )
    if not plan.in_plane.known:
        warnings.append("pixel spacing is not in the header: distances are in pixels, not mm")
    where = header.path if len(paths) == 1 else header.path.parent
    for message in warnings:
        logger.warning("%s: %s", where, message)
    return ImageVolume(
        voxels=voxels,
        spacing=plan.spacing,
        origin=plan.origin,
        direction=plan.direction,
        modality=header.modality,
        window=header_window(plan.frames),
        invert_for_display=header.photometric_interpretation == "MONOCHROME1",
        spacing_known=plan.in_plane.known,
        metadata=metadata,
        warnings=warnings,
    )


def load_series(
    series: Series,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    workers: int | None = None,
) -> ImageVolume:
    """Decode every slice of a scanned series into one volume (slices decoded in parallel).

    Corrupt slices are left blank with a warning naming the file; raises
    :class:`~vividmed_viewer.io.errors.LoadCancelled` when ``cancel()`` turns true.
    """
    plan = plan_series(series)
    where = plan.first_header.path
    check_cancelled(cancel, where.parent, 0, len(plan.frames))
    dtype = output_dtype(plan.stack.headers, plan.frames)
    shared_intercept: int | None = None
    frames = plan.frames
    if dtype == np.int32 and can_defer_intercept(frames):
        # Decode into the 16-bit stored container and shift each slice to int16 in place.
        dtype, shared_intercept = storage_dtype(plan.stack.headers), int(frames[0].intercept)
    voxels = np.zeros((plan.slice_count, plan.stack.rows, plan.stack.columns), dtype=dtype)
    writer = SliceWriter(voxels, shared_intercept)
    workers = workers or default_workers()
    tasks = build_tasks(frames, plan.z_index, plan.stack.headers, workers)
    failed = decode_into(writer, tasks, workers=workers, progress=progress, cancel=cancel)
    voxels = writer.finish()
    warnings = list(series.warnings) + plan.warnings
    filled = list(plan.filled)
    for task, problem in failed:
        names = ", ".join(str(task.path) for _ in task.frames[:1])
        warnings.append(f"skipped {names}: {problem}; its slice is shown blank")
        filled.extend(task.z_index)
    if len(filled) >= plan.slice_count:
        first_problem = failed[0][1] if failed else "no slices"
        raise DicomError(where, f"no slice of the series could be decoded ({first_problem})")
    _fill_blank(voxels, sorted(set(filled)))
    return _build_volume(plan, voxels, warnings)


def read_preview(series: Series, index: int | None = None) -> ImageVolume:
    """One slice (the middle one by default) for thumbnails and a first image."""
    plan = plan_series(series)
    position = len(plan.frames) // 2 if index is None else index
    if not 0 <= position < len(plan.frames):
        raise DicomError(
            plan.first_header.path,
            f"slice {position} requested, the series has {len(plan.frames)} slices",
        )
    frame = plan.frames[position]
    dtype = output_dtype(plan.stack.headers, [frame])
    voxels = np.zeros((1, plan.stack.rows, plan.stack.columns), dtype=dtype)
    header = next(h for h in plan.stack.headers if h.path == frame.path)
    failed = decode_into(SliceWriter(voxels), [DecodeTask(header, [frame], [0])], workers=1)
    if failed:
        raise DicomError(frame.path, failed[0][1])
    preview_plan = SeriesPlan(
        stack=plan.stack,
        frames=[frame],
        z_index=[0],
        slice_count=1,
        slice_spacing=plan.slice_spacing,
        in_plane=plan.in_plane,
        origin=plan.origin if frame.position is None else tuple(frame.position),  # type: ignore[arg-type]
        direction=plan.direction,
        warnings=[],
    )
    return _build_volume(preview_plan, voxels, [])
