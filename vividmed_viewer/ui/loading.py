"""Open files and folders in the background: scan, load, report progress, cancel, errors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from vividmed_viewer.core import ImageVolume, Series, Study
from vividmed_viewer.core.errors import ImageLoadError
from vividmed_viewer.core.series_choice import default_series
from vividmed_viewer.ui.workers import Task, TaskContext, TaskRunner

logger = logging.getLogger(__name__)


def is_folder_like(path: Path) -> bool:
    """Folders and DICOMDIR files are scanned into studies first."""
    return path.is_dir() or path.name.upper() == "DICOMDIR"


def _progress_adapter(context: TaskContext, what: str) -> Any:
    def report(done: int, total: int) -> None:
        context.progress(done / total if total else 0.0, f"Loading {what}: {done}/{total}")

    return report


class LoadController(QObject):
    """Runs io's readers in workers and announces the results on the GUI thread."""

    volume_loaded = Signal(object, str)  # ImageVolume, source path or series key
    studies_found = Signal(object, str, bool)  # list[Study], path, show_first
    failed = Signal(str, object)  # path, error
    started = Signal(object, str)  # Task, message
    progressed = Signal(float, str)
    stopped = Signal(str)  # message

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.current: Task | None = None

    def open_path(self, path: str | Path, show: bool = True) -> None:
        """Open a file (load it) or a folder (scan it; ``show`` loads its default series,
        :func:`~vividmed_viewer.core.series_choice.default_series`, as ``vividmed info`` and
        ``vividmed infer`` do)."""
        path = Path(path)
        if not path.exists():
            self.failed.emit(str(path), ImageLoadError(path, "no such file or folder"))
            return
        if is_folder_like(path):
            self._scan(path, show)
        elif show:
            self._load_file(path)
        else:
            self._scan(path, False)

    def open_series(self, series: Series) -> None:
        from vividmed_viewer.io import load_series

        label = series.description or series.key

        def work(context: TaskContext) -> ImageVolume:
            return load_series(
                series,
                progress=_progress_adapter(context, label),
                cancel=lambda: context.cancelled,
            )

        self._start(f"Loading {label}", work, key=series.key)

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel()

    def _load_file(self, path: Path) -> None:
        from vividmed_viewer.io import load_image

        def work(context: TaskContext) -> ImageVolume:
            return load_image(
                path,
                progress=_progress_adapter(context, path.name),
                cancel=lambda: context.cancelled,
            )

        self._start(f"Loading {path.name}", work, key=str(path))

    def _scan(self, path: Path, show: bool) -> None:
        from vividmed_viewer.io import scan_path

        def work(context: TaskContext) -> list[Study]:
            context.progress(0.0, f"Scanning {path}")
            return scan_path(path)

        def found(studies: list[Study]) -> None:
            self.stopped.emit(f"Found {sum(len(s.series) for s in studies)} series in {path.name}")
            self.studies_found.emit(studies, str(path), show)
            series = default_series(studies)
            if show and series is not None:
                self.open_series(series)
            elif show:
                self.failed.emit(str(path), ImageLoadError(path, "no image series found"))

        task = self.runner.start(
            f"scan {path}",
            work,
            on_result=found,
            on_error=lambda error: self._fail(str(path), error),
            on_progress=self.progressed.emit,
            on_cancelled=lambda: self.stopped.emit("Scan cancelled"),
        )
        self.current = task
        self.started.emit(task, f"Scanning {path}…")

    def _start(self, message: str, work: Any, key: str) -> None:
        def loaded(volume: ImageVolume) -> None:
            self.stopped.emit(f"Loaded {volume.describe()}")
            self.volume_loaded.emit(volume, key)

        task = self.runner.start(
            message,
            work,
            on_result=loaded,
            on_error=lambda error: self._fail(key, error),
            on_progress=self.progressed.emit,
            on_cancelled=lambda: self.stopped.emit("Loading cancelled"),
        )
        self.current = task
        self.started.emit(task, message + "…")

    def _fail(self, path: str, error: BaseException) -> None:
        self.stopped.emit("")
        self.failed.emit(path, error)
