"""Decode a plan's frames into a preallocated volume, in parallel, with progress and cancel.

Uncompressed little-endian slices are read straight into the volume (file reads release the
GIL, so threads overlap). Compressed slices are decoded by pydicom's plugins, which hold the
GIL: large series of those go to worker processes instead of threads.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.uid import (
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGLSLossless,
    JPEGLSNearLossless,
)

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.io.dicom.header import FrameInfo, SliceHeader
from vividmed_viewer.io.dicom.pixels import (
    can_decode_encapsulated,
    decode_dataset_frames,
    decode_encapsulated_frame,
    decode_error_message,
    decode_file_frames,
)
from vividmed_viewer.io.dicom.reading import read_dataset
from vividmed_viewer.io.dicom.slice_writer import SliceWriter
from vividmed_viewer.io.errors import LoadCancelled
from vividmed_viewer.io.progress import CancelCheck, ProgressCallback

logger = logging.getLogger(__name__)
DECODE_ERRORS = (DicomError, ValueError, RuntimeError, OSError, TypeError, IndexError, KeyError)
# CharLS (JPEG-LS) decodes fast enough that process overhead costs more than it saves.
THREAD_FRIENDLY_SYNTAXES = frozenset({JPEGLSLossless, JPEGLSNearLossless})
# Below this many compressed files, starting worker processes costs more than it saves.
PROCESS_MIN_FILES = 48
UNCOMPRESSED_SYNTAXES = frozenset(
    {ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian}
)


@dataclass
class DecodeTask:
    """Frames of one file and the output slice each goes to."""

    header: SliceHeader
    frames: list[FrameInfo]
    z_index: list[int]

    @property
    def path(self) -> Path:
        return self.header.path


def build_tasks(
    frames: list[FrameInfo], z_index: list[int], headers: list[SliceHeader], workers: int
) -> list[DecodeTask]:
    """One task per single-frame file; a multi-frame file's frames split into ``workers`` chunks."""
    header_of = {h.path: h for h in headers}
    by_path: dict[Path, list[tuple[FrameInfo, int]]] = defaultdict(list)
    for frame, z in zip(frames, z_index, strict=True):
        by_path[frame.path].append((frame, z))
    tasks: list[DecodeTask] = []
    for path, items in by_path.items():
        chunk = max(1, -(-len(items) // max(workers, 1)))
        for start in range(0, len(items), chunk):
            part = items[start : start + chunk]
            tasks.append(DecodeTask(header_of[path], [f for f, _ in part], [z for _, z in part]))
    return tasks


def default_workers() -> int:
    """One worker per CPU core, at most 8."""
    return min(os.cpu_count() or 1, 8)


def use_processes(tasks: list[DecodeTask], workers: int) -> bool:
    """Compressed single-frame files, enough of them, and more than one worker."""
    return (
        workers > 1
        and len(tasks) >= PROCESS_MIN_FILES
        and all(t.header.transfer_syntax_uid not in THREAD_FRIENDLY_SYNTAXES for t in tasks)
        and all(len(t.frames) == 1 for t in tasks)
        and all(UID(t.header.transfer_syntax_uid) not in UNCOMPRESSED_SYNTAXES for t in tasks)
        and os.environ.get("VIVIDMED_DECODE_PROCESSES", "1") != "0"
    )


def decode_single_file(header: SliceHeader, frame_indices: list[int]) -> list[NDArray[np.generic]]:
    """Decode frames of one file: straight from its pixel bytes when possible.

    Module level so that worker processes can run it.
    """
    if frame_indices == [0] and can_decode_encapsulated(header):
        return [decode_encapsulated_frame(header)]
    return decode_file_frames(header.path, frame_indices)


class _ThreadDecoder:
    """Runs one task in a thread: direct read when possible, else pydicom's decoders."""

    def __init__(self, writer: SliceWriter, stop: threading.Event) -> None:
        self.writer = writer
        self.stop = stop
        self._datasets: dict[Path, Dataset] = {}
        self._lock = threading.Lock()

    def _dataset(self, path: Path) -> Dataset:
        with self._lock:
            if path not in self._datasets:
                self._datasets[path] = read_dataset(path, stop_before_pixels=False)
            return self._datasets[path]

    def __call__(self, task: DecodeTask) -> None:
        if self.stop.is_set():
            return
        if len(task.frames) == 1 and self.writer.can_read_directly(task.header):
            self.writer.read_directly(task.z_index[0], task.header, task.frames[0])
            return
        indices = [f.frame_index for f in task.frames]
        if task.header.is_multiframe:
            arrays = decode_dataset_frames(self._dataset(task.path), task.path, indices)
        else:
            arrays = decode_single_file(task.header, indices)
        for frame, z, array in zip(task.frames, task.z_index, arrays, strict=True):
            self.writer.store(z, array, frame)


def _process_context() -> multiprocessing.context.BaseContext:
    """fork when this process runs one thread (no re-import of ``__main__``), else forkserver."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has imported pydicom once.
    context.set_forkserver_preload([__name__])
    return context


@dataclass
class _Progress:
    """Counts finished frames, reports them and checks for cancellation between slices."""

    total: int
    where: Path
    progress: ProgressCallback | None
    cancel: CancelCheck | None
    done: int = 0

    def check_cancel(self, stop: threading.Event) -> None:
        if self.cancel is not None and self.cancel():
            stop.set()
            raise LoadCancelled(
                f"{self.where}: loading cancelled after {self.done} of {self.total} slices"
            )

    def advance(self, frames: int) -> None:
        self.done += frames
        if self.progress is not None:
            self.progress(self.done, self.total)


def _run_pool(
    writer: SliceWriter,
    tasks: list[DecodeTask],
    workers: int,
    in_processes: bool,
    counter: _Progress,
    failed: list[tuple[DecodeTask, str]],
) -> list[DecodeTask]:
    """Run tasks on threads or processes; returns the tasks left undone by a broken pool."""
    stop = threading.Event()
    executor: Executor
    submit: Callable[[DecodeTask], Future[object]]
    if in_processes:
        executor = ProcessPoolExecutor(workers, mp_context=_process_context())

        def submit(task: DecodeTask) -> Future[object]:
            indices = [f.frame_index for f in task.frames]
            return executor.submit(decode_single_file, task.header, indices)
    else:
        executor = ThreadPoolExecutor(workers, thread_name_prefix="dicom-decode")
        run = _ThreadDecoder(writer, stop)

        def submit(task: DecodeTask) -> Future[object]:
            return executor.submit(run, task)

    pending: dict[Future[object], DecodeTask] = {}
    queue = list(reversed(tasks))
    try:
        while queue or pending:
            while queue and len(pending) < workers * 4:
                task = queue[-1]
                pending[submit(task)] = task
                queue.pop()
            finished, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            counter.check_cancel(stop)
            for future in finished:
                task = pending.pop(future)
                try:
                    result = future.result()
                    if in_processes:
                        assert isinstance(result, list)
                        for frame, z, array in zip(task.frames, task.z_index, result, strict=True):
                            writer.store(z, array, frame)
                except BrokenExecutor:
                    pending[future] = task
                    raise
                except DECODE_ERRORS as error:
                    failed.append((task, decode_error_message(error)))
                counter.advance(len(task.frames))
    except BrokenExecutor as error:
        logger.warning("decoding processes stopped (%s); going on with threads", error)
        return list(pending.values()) + list(reversed(queue))
    finally:
        stop.set()
        executor.shutdown(wait=True, cancel_futures=True)
    return []


def decode_into(
    writer: SliceWriter,
    tasks: list[DecodeTask],
    *,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> list[tuple[DecodeTask, str]]:
    """Decode every task into the writer's volume; returns the tasks that failed and why."""
    workers = workers or default_workers()
    total = sum(len(t.frames) for t in tasks)
    in_processes = use_processes(tasks, workers)
    logger.info(
        "decoding %d frames with %d %s", total, workers, "processes" if in_processes else "threads"
    )
    counter = _Progress(total, tasks[0].path.parent if tasks else Path("."), progress, cancel)
    failed: list[tuple[DecodeTask, str]] = []
    left = _run_pool(writer, tasks, workers, in_processes, counter, failed)
    if left:
        _run_pool(writer, left, workers, False, counter, failed)
    return failed
