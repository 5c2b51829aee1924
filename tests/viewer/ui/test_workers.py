"""Background tasks: results on the GUI thread, progress, cancel, errors reported not raised."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import DicomError
from vividmed_viewer.ui.error_dialog import show_error
from vividmed_viewer.ui.workers import TaskContext, TaskRunner


def test_result_and_progress_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    seen: dict[str, object] = {}
    progress: list[tuple[float, str]] = []

    def work(context: TaskContext) -> int:
        seen["worker_thread"] = threading.get_ident()
        for step in range(4):
            context.progress((step + 1) / 4, f"step {step + 1}")
        return sum(range(1000))

    def done(value: int) -> None:
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is QApplication.instance().thread()

    runner.start("sum", work, on_result=done, on_progress=lambda f, m: progress.append((f, m)))
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen["value"] == 499500
    assert seen["gui"] is True
    assert seen["worker_thread"] != threading.get_ident()
    assert progress[-1] == (1.0, "step 4")
    qtbot.waitUntil(lambda: not runner.active, timeout=2000)


def test_cancel_stops_a_running_task(qtbot: QtBot) -> None:
    runner = TaskRunner()
    started = threading.Event()
    outcome: list[str] = []

    def slow(context: TaskContext) -> str:
        started.set()
        for _ in range(500):
            context.check_cancelled()
            time.sleep(0.01)
        return "finished"

    task = runner.start(
        "slow",
        slow,
        on_result=outcome.append,
        on_cancelled=lambda: outcome.append("cancelled"),
    )
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: outcome == ["cancelled"], timeout=5000)


def test_errors_reach_the_error_callback(qtbot: QtBot) -> None:
    runner = TaskRunner()
    errors: list[BaseException] = []

    def broken(context: TaskContext) -> None:
        raise DicomError("/data/ct/slice7.dcm", "pixel data is truncated")

    runner.start("broken", broken, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert str(errors[0]) == "/data/ct/slice7.dcm: pixel data is truncated"


def test_error_dialog_names_the_file_and_logs(qtbot: QtBot, caplog: object) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    box = show_error(parent, "Cannot open slice7.dcm", DicomError("/data/slice7.dcm", "not DICOM"))
    assert isinstance(box, QMessageBox)
    assert box.isVisible()  # non-blocking: the window stays usable
    assert box.text() == "/data/slice7.dcm: not DICOM"
    assert "not DICOM" in caplog.text  # type: ignore[attr-defined]
    box.close()
    unexpected = show_error(parent, "Bug", KeyError("spacing"))
    assert unexpected.text() == "KeyError: 'spacing'"
    unexpected.close()
