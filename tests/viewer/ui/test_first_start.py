"""The first start: a window without torch, the welcome dialog, the startup milestones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from vividmed_viewer.ui.app import build_parser, show_main_window
from vividmed_viewer.ui.main_window import MainWindow
from vividmed_viewer.ui.settings import RecentFiles, app_settings
from vividmed_viewer.ui.startup import MARKER_ENVIRONMENT, read_marker_lines
from vividmed_viewer.ui.welcome import SAMPLE_CT, WelcomeDialog, is_first_run, sample_radiograph

LOAD_TIMEOUT_MS = 60_000
NOT_AT_START = ("torch", "transformers", "model", "vtk", "pydicom", "nibabel", "highdicom")


def test_the_main_window_module_loads_no_model_code() -> None:
    probe = (
        "import sys\n"
        "import vividmed_viewer.ui.main_window\n"
        f"print(','.join(name for name in {NOT_AT_START!r} if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""  # none of them: they load when first needed


def start(qtbot: QtBot, *arguments: str) -> MainWindow:
    """The window as ``vividmed-viewer ARGUMENTS`` shows it."""
    window = show_main_window(build_parser().parse_args(list(arguments)))
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    return window


def welcome_dialogs() -> list[WelcomeDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, WelcomeDialog)]


def shown_welcome(qtbot: QtBot) -> WelcomeDialog:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in welcome_dialogs()))
    return next(d for d in welcome_dialogs() if d.isVisible())


def test_first_start_welcomes_and_opens_the_sample_ct(qtbot: QtBot) -> None:
    assert is_first_run(app_settings())  # a fresh settings store (conftest)
    window = start(qtbot)
    dialog = shown_welcome(qtbot)
    assert dialog.recent_list.count() == 0
    qtbot.mouseClick(dialog.sample_ct_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.volume is not None, timeout=LOAD_TIMEOUT_MS)
    assert window.volume is not None and window.volume.shape[0] > 1  # the CT's slices
    assert window.volume_source == str(SAMPLE_CT)
    assert not any(d.isVisible() for d in welcome_dialogs())  # (closed and deleted)
    assert RecentFiles(window.settings).paths == [str(SAMPLE_CT.resolve())]
    window.close()

    assert not is_first_run(app_settings())
    again = start(qtbot)
    qtbot.wait(200)  # (the welcome would come in the turn after the window is exposed)
    assert not any(d.isVisible() for d in welcome_dialogs())
    again.close()


def test_help_welcome_lists_recent_files(qtbot: QtBot) -> None:
    RecentFiles(app_settings()).add(SAMPLE_CT)
    window = start(qtbot)
    help_welcome = window.findChild(QAction, "help_welcome")
    assert help_welcome is not None and help_welcome.text() == "Welcome…"
    help_welcome.trigger()
    dialog = shown_welcome(qtbot)
    assert dialog.recent_list.count() == 1
    item = dialog.recent_list.item(0)
    assert item.text() == SAMPLE_CT.name
    assert item.toolTip() == str(SAMPLE_CT.resolve())
    dialog.close()


def test_the_sample_radiograph_is_pydicom_datas() -> None:
    path = sample_radiograph()
    assert path is not None and path.is_file() and path.name == "RG1_UNCR.dcm"


def test_startup_marker_records_window_and_first_image(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "marker.txt"
    monkeypatch.setenv(MARKER_ENVIRONMENT, str(marker))
    window = start(qtbot, str(SAMPLE_CT))
    qtbot.waitUntil(lambda: "first_image" in read_marker_lines(marker), timeout=LOAD_TIMEOUT_MS)
    marks = read_marker_lines(marker)
    assert list(marks) == ["window_shown", "first_image"]
    shown_age, shown_at = marks["window_shown"]
    image_age, image_at = marks["first_image"]
    assert 0 < shown_age <= image_age and shown_at <= image_at
    assert window.volume is not None
    assert not any(d.isVisible() for d in welcome_dialogs())  # an image was asked for
    window.close()
