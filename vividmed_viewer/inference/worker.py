"""``InferenceWorker``: runs one model job at a time off the GUI thread and streams it back.

The job thread never touches widgets: it appends events (text, phrase, progress, end) to
an ordered queue and posts one queued signal while the GUI has not drained the queue yet,
so a burst of tokens costs the event loop one short pass (consecutive text deltas are
joined). The GUI side re-emits them as plain signals in the order they were made.

Why not ``ui.workers.TaskRunner``: a cancelled task there reports no result, but a
stopped report keeps its partial text; and ``inference`` must not import ``ui``.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from vividmed_viewer.inference.jobs import InferenceJob, JobContext
from vividmed_viewer.inference.streaming import StreamedPhrase

logger = logging.getLogger(__name__)

TEXT, PHRASE, PROGRESS, FINISHED, STOPPED, FAILED = (
    "text",
    "phrase",
    "progress",
    "finished",
    "stopped",
    "failed",
)


class _EventQueue(QObject):
    """Thread-safe ordered events; ``ready`` is posted once per batch the GUI drains."""

    ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._events: deque[tuple[str, Any]] = deque()
        self._posted = False

    def put(self, kind: str, payload: Any) -> None:
        with self._lock:
            self._events.append((kind, payload))
            post = not self._posted
            self._posted = True
        if post:
            self.ready.emit()

    def take_all(self) -> list[tuple[str, Any]]:
        with self._lock:
            events = list(self._events)
            self._events.clear()
            self._posted = False
        return events


class _JobRunnable(QRunnable):
    def __init__(self, job: InferenceJob, queue: _EventQueue, cancel: threading.Event) -> None:
        super().__init__()
        self.job, self.queue, self.cancel = job, queue, cancel

    def run(self) -> None:
        queue = self.queue
        context = JobContext(
            cancel=self.cancel,
            emit_text=lambda delta: queue.put(TEXT, delta),
            emit_phrase=lambda phrase: queue.put(PHRASE, phrase),
            progress=lambda message: queue.put(PROGRESS, message),
        )
        try:
            result = self.job.run(context)
        except Exception as error:  # reported to the GUI (dialog + log), never a crash
            logger.error("%s failed: %s", self.job.title, error, exc_info=error)
            queue.put(FAILED, error)
        else:
            queue.put(STOPPED if self.cancel.is_set() else FINISHED, result)


class InferenceWorker(QObject):
    """One model job at a time on a private thread; signals arrive on the GUI thread.

    ``finished`` carries the job's result; ``stopped`` the partial result of a job the user
    stopped (a report marked stopped, a partial answer); ``failed`` the exception.
    """

    text_delta = Signal(str)
    phrase_ready = Signal(object)  # StreamedPhrase
    progress = Signal(str)
    finished = Signal(object)
    stopped = Signal(object)
    failed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._queue = _EventQueue()
        self._queue.ready.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._cancel = threading.Event()
        self._job: InferenceJob | None = None

    @property
    def busy(self) -> bool:
        return self._job is not None

    @property
    def job(self) -> InferenceJob | None:
        return self._job

    def submit(self, job: InferenceJob) -> None:
        """Start ``job``; raises ``RuntimeError`` while another job runs."""
        if self._job is not None:
            raise RuntimeError(f"the model is busy ({self._job.title}); stop it first")
        self._job = job
        self._cancel = threading.Event()
        logger.info("starting: %s", job.title)
        self.busy_changed.emit(True)
        self._pool.start(_JobRunnable(job, self._queue, self._cancel))

    def cancel(self) -> None:
        """Ask the running job to stop at its next token (its partial result comes back)."""
        if self._job is not None:
            logger.info("stopping: %s", self._job.title)
            self._cancel.set()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the job thread is idle (shutdown and tests); queued events stay queued."""
        return bool(self._pool.waitForDone(timeout_ms))

    def _drain(self) -> None:
        pending_text: list[str] = []
        for kind, payload in self._queue.take_all():
            if kind == TEXT:
                pending_text.append(payload)
                continue
            if pending_text:
                self.text_delta.emit("".join(pending_text))
                pending_text = []
            self._dispatch(kind, payload)
        if pending_text:
            self.text_delta.emit("".join(pending_text))

    def _dispatch(self, kind: str, payload: Any) -> None:
        if kind == PHRASE:
            phrase: StreamedPhrase = payload
            self.phrase_ready.emit(phrase)
        elif kind == PROGRESS:
            self.progress.emit(str(payload))
        else:
            self._job = None
            self.busy_changed.emit(False)
            signal = {FINISHED: self.finished, STOPPED: self.stopped, FAILED: self.failed}[kind]
            signal.emit(payload)
