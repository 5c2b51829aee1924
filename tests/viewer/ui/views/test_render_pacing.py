"""The render pacer: one deferred view render per event-loop turn, each view once."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject
from pytestqt.qtbot import QtBot

from vividmed_viewer.ui.views.render_pacing import RenderPacer


def test_renders_run_one_per_turn_in_request_order_and_coalesce(qtbot: QtBot) -> None:
    pacer = RenderPacer()
    views = [QObject() for _ in range(3)]
    rendered: list[int] = []
    for index, view in enumerate(views):
        pacer.request(view, lambda i=index: rendered.append(i))
    pacer.request(views[0], lambda: rendered.append(99))  # asked again before its turn
    assert pacer.pending == 3 and rendered == []
    QCoreApplication.processEvents()
    assert rendered == [0], "one render per turn: the loop runs between them"
    qtbot.waitUntil(lambda: pacer.pending == 0, timeout=2000)
    assert rendered == [0, 1, 2]


def test_a_cancelled_or_deleted_view_is_not_rendered(qtbot: QtBot) -> None:
    pacer = RenderPacer()
    kept, cancelled, deleted = QObject(), QObject(), QObject()
    rendered: list[str] = []
    pacer.request(deleted, lambda: rendered.append("deleted"))
    pacer.request(cancelled, lambda: rendered.append("cancelled"))
    pacer.request(kept, lambda: rendered.append("kept"))
    pacer.cancel(cancelled)
    shiboken6.delete(deleted)
    qtbot.waitUntil(lambda: pacer.pending == 0, timeout=2000)
    assert rendered == ["kept"]
