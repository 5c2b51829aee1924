"""Run slow work (loading, thumbnails, surfaces, inference) off the GUI thread.

A task is a function of a :class:`TaskContext`; it reports progress and checks for
cancellation through the context. Results, errors and progress come back to the GUI
thread as queued Qt signals, so callbacks may touch widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

logger = logging.getLogger(__name__)

QUEUED = Qt.ConnectionType.QueuedConnection


class TaskCancelledError(Exception):
    """Raised inside a task when its user pressed cancel."""


class TaskContext:
    """Handed to a running task: progress reporting and the cancel flag."""

    def __init__(self, signals: TaskSignals) -> None:
        self._signals = signals
        self.cancel_event = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress in [0, 1] with an optional message."""
        self._signals.progress.emit(max(0.0, min(1.0, float(fraction))), message)

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise TaskCancelledError()


class TaskSignals(QObject):
    progress = Signal(float, str)
    result = Signal(object)
    error = Signal(object)
    cancelled = Signal()
    finished = Signal()


class Task(QRunnable):
    """One piece of background work; ``cancel()`` asks it to stop."""

    def __init__(self, name: str, function: Callable[[TaskContext], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.name = name
        self._function = function
        self.signals = TaskSignals()
        self.context = TaskContext(self.signals)
        self.done = threading.Event()

    def cancel(self) -> None:
        logger.info("cancelling task %s", self.name)
        self.context.cancel_event.set()

    def _emit(self, signal: str, *args: Any) -> None:
        """Emit one of ``signals``; after its owner was deleted (window closed) only log."""
        if not shiboken6.isValid(self.signals):
            logger.info("task %s: %s not delivered (its window is gone)", self.name, signal)
            return
        getattr(self.signals, signal).emit(*args)

    def run(self) -> None:
        try:
            result = self._function(self.context)
        except TaskCancelledError:
            logger.info("task %s cancelled", self.name)
            self._emit("cancelled")
        except Exception as error:  # reported to the GUI: dialog + log, never a crash
            if self.context.cancelled:
                logger.info("task %s stopped after cancel: %s", self.name, error)
                self._emit("cancelled")
            else:
                logger.error("task %s failed: %s", self.name, error, exc_info=error)
                self._emit("error", error)
        else:
            if self.context.cancelled:
                self._emit("cancelled")
            else:
                self._emit("result", result)
        finally:
            self.done.set()
            self._emit("finished")


class TaskRunner(QObject):
    """Starts tasks on a thread pool and keeps them alive until they finish."""

    task_started = Signal(object)
    task_finished = Signal(object)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._active: list[Task] = []

    @property
    def active(self) -> list[Task]:
        return list(self._active)

    def start(
        self,
        name: str,
        function: Callable[[TaskContext], Any],
        *,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Task:
        """Run ``function(context)`` in the pool; callbacks run on the GUI thread."""
        task = Task(name, function)
        # Callbacks run only while this runner (a child of their widget) still exists.
        if on_result is not None:
            task.signals.result.connect(self._guarded(on_result), QUEUED)
        if on_error is not None:
            task.signals.error.connect(self._guarded(on_error), QUEUED)
        if on_progress is not None:
            task.signals.progress.connect(self._guarded(on_progress), QUEUED)
        if on_cancelled is not None:
            task.signals.cancelled.connect(self._guarded(on_cancelled), QUEUED)
        task.signals.finished.connect(self._guarded(lambda: self._finish(task)), QUEUED)
        self._active.append(task)
        self.task_started.emit(task)
        self.pool.start(task)
        return task

    def _guarded(self, callback: Callable[..., Any]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            if shiboken6.isValid(self):
                callback(*args)
            else:
                logger.info("dropping a task callback: its window was closed")

        return call

    def cancel_all(self) -> None:
        for task in self._active:
            task.cancel()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until every running task has finished (shutdown and tests)."""
        return bool(self.pool.waitForDone(timeout_ms))

    def _finish(self, task: Task) -> None:
        if task in self._active:
            self._active.remove(task)
        self.task_finished.emit(task)
