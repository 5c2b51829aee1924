"""Deferred view renders, one per event-loop turn, so input and timers run between them.

A streamed report region makes every view re-render (three slice views and the 3D pane:
10-70 ms each on a software rasterizer). Rendered back to back in one turn of the event
loop they add up to a stall the user feels; the pacer runs one pending render, then lets
the loop turn (a zero timer armed after a turn's timers are collected fires in the next
turn) before the next. A view asking again before its render ran still renders once.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer


class RenderPacer(QObject):
    """Runs the renders views ask for, oldest request first, one per event-loop turn."""

    def __init__(self) -> None:
        super().__init__()
        self._pending: dict[int, tuple[QObject, Callable[[], None]]] = {}
        self._armed = False

    @property
    def pending(self) -> int:
        """Renders waiting for their turn."""
        return len(self._pending)

    def request(self, owner: QObject, render: Callable[[], None]) -> None:
        """Run ``render`` in a coming turn (once, however often ``owner`` asks before it)."""
        held = self._pending.get(id(owner))
        if held is None or not shiboken6.isValid(held[0]):  # (an id reused after a deletion)
            self._pending[id(owner)] = (owner, render)
        self._arm()

    def cancel(self, owner: QObject) -> None:
        """Forget ``owner``'s pending render (it rendered directly, or is going away)."""
        self._pending.pop(id(owner), None)

    def _arm(self) -> None:
        if not self._armed and self._pending:
            self._armed = True
            QTimer.singleShot(0, self, self._run_next)

    def _run_next(self) -> None:
        self._armed = False
        while self._pending:
            key = next(iter(self._pending))
            owner, render = self._pending.pop(key)
            if shiboken6.isValid(owner):  # a view deleted since its request is skipped
                render()
                break
        self._arm()


_pacer: RenderPacer | None = None


def render_pacer() -> RenderPacer:
    """The application's pacer (made on first use, in the GUI thread)."""
    global _pacer
    if _pacer is None or not shiboken6.isValid(_pacer):
        _pacer = RenderPacer()
    return _pacer
