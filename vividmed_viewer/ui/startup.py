"""Startup milestones: the main window first on screen, the first image drawn.

``when_exposed(window, callback)`` runs work (the first-run welcome) once the window is on
screen, so it never delays the window. ``VIVIDMED_STARTUP_MARKER=FILE`` makes the app
append one line per milestone to FILE, read by ``benchmarks/first_start.py``::

    window_shown <seconds since the process started> <epoch seconds>
    first_image <seconds since the process started> <epoch seconds>

``window_shown``: the main window is mapped, exposed and has painted (the turn of the event
loop after its first expose event); ``first_image``: a slice view finished its first render
of the first image opened.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

logger = logging.getLogger(__name__)

MARKER_ENVIRONMENT = "VIVIDMED_STARTUP_MARKER"
_IMPORTED_AT = time.time()  # the fallback "process start" where the OS does not tell it


def process_age_s() -> float:
    """Seconds since this process started (Linux: /proc; elsewhere psutil, if installed).

    Without either, the time since this module was imported (an underestimate).
    """
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, starttime
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import psutil  # (a development dependency: not in every install)

        return time.time() - float(psutil.Process().create_time())
    except ImportError:
        return time.time() - _IMPORTED_AT


class _ExposeWatcher(QObject):
    """Calls back once, in the event-loop turn after the window's first expose."""

    def __init__(self, window: QWidget, callback: Callable[[], object]) -> None:
        super().__init__(window)
        self.callback: Callable[[], object] | None = callback
        self.window = window
        window.installEventFilter(self)  # the QWidget sees Show; its QWindow sees Expose
        handle = window.windowHandle()
        if handle is not None:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Show and watched is self.window:
            handle = self.window.windowHandle()
            if handle is not None:
                handle.installEventFilter(self)
        elif event.type() == QEvent.Type.Expose and self.callback is not None:
            handle = self.window.windowHandle()
            if handle is not None and handle.isExposed():
                callback, self.callback = self.callback, None
                QTimer.singleShot(0, self, callback)  # after Qt has painted the exposed window
        return False


def when_exposed(window: QWidget, callback: Callable[[], object]) -> None:
    """Run ``callback`` once, just after ``window`` is first on screen (exposed and painted).

    A window already exposed runs it in the next turn of the event loop.
    """
    handle = window.windowHandle()
    if handle is not None and handle.isExposed():
        QTimer.singleShot(0, window, callback)
        return
    _ExposeWatcher(window, callback)


class StartupMarker:
    """Appends the startup milestones to a file (the benchmark's view of a real start)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.written: list[str] = []

    def mark(self, name: str) -> None:
        """Record that ``name`` happened now (once per name)."""
        if name in self.written:
            return
        self.written.append(name)
        line = f"{name} {process_age_s():.4f} {time.time():.4f}\n"
        try:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as error:
            logger.warning("cannot write the startup marker %s: %s", self.path, error)

    def watch(self, window: Any) -> None:
        """Mark ``window_shown`` and ``first_image`` for a main window (before it is shown)."""
        when_exposed(window, lambda: self.mark("window_shown"))
        on_first_image(window, lambda: self.mark("first_image"))


def on_first_image(window: Any, callback: Callable[[], object]) -> None:
    """Call back once a slice view has rendered the first image ``window``'s session shows."""
    _FirstImageWatch(window, callback)


class _FirstImageWatch:
    """Calls back when a slice view has rendered the first image the session made active."""

    def __init__(self, window: Any, callback: Callable[[], object]) -> None:
        self.window = window
        self.callback = callback
        self.observed: list[tuple[Any, int]] = []
        window.session.events.active_image.connect(self._on_active_image)

    def _on_active_image(self, _event: object) -> None:
        if self.window.session.active is None:
            return
        self.window.session.events.active_image.disconnect(self._on_active_image)
        for view in self.window.viewer.slice_views.values():  # the shown ones render it next
            window = view.render_window
            self.observed.append((window, window.AddObserver("EndEvent", self._on_rendered)))

    def _on_rendered(self, _caller: object, _event: str) -> None:
        for window, tag in self.observed:
            window.RemoveObserver(tag)
        self.observed = []
        self.callback()


def read_marker_lines(path: str | Path) -> dict[str, tuple[float, float]]:
    """A marker file's milestones: name → (seconds since process start, epoch seconds)."""
    path = Path(path)
    if not path.is_file():
        return {}
    marks: dict[str, tuple[float, float]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            marks[parts[0]] = (float(parts[1]), float(parts[2]))
    return marks


def install_startup_marker(window: QWidget) -> StartupMarker | None:
    """Watch ``window``'s start when ``$VIVIDMED_STARTUP_MARKER`` names a file."""
    path = os.environ.get(MARKER_ENVIRONMENT)
    if not path:
        return None
    marker = StartupMarker(path)
    marker.watch(window)
    return marker
