"""Guard against Qt bindings that lose references to None/True (PySide6 6.12.0 did).

Such a leak aborts the interpreter ("deallocating None") after some thousands of events,
so a long reading session would crash; pyproject.toml excludes the version that had it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    value = Signal(object)
    flag = Signal(bool)


def test_event_processing_and_signals_keep_singleton_references(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    emitter = _Emitter()
    received: list[object] = []
    emitter.value.connect(received.append)
    emitter.flag.connect(received.append)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for number in range(300):
        app.processEvents()
        emitter.value.emit(number)
        emitter.flag.emit(True)
    received.clear()
    assert sys.getrefcount(None) > none_before - 100
    assert sys.getrefcount(True) > true_before - 100
