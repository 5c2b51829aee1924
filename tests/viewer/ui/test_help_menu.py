"""Help ▸ About (real versions and folders) and Help ▸ Open Log File; the log file's place."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl, Slot, qVersion
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from vtkmodules.vtkCommonCore import vtkVersion

from vividmed_viewer.logs import LOG_DIR_ENVIRONMENT, log_file_path
from vividmed_viewer.ui.about_dialog import AboutDialog
from vividmed_viewer.ui.main_window import MainWindow
from vividmed_viewer.version import app_version


def make_window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def help_action(window: MainWindow, name: str) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


def test_about_shows_the_real_versions_and_folders(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    help_action(window, "help_about").trigger()
    qtbot.waitUntil(lambda: window.findChild(AboutDialog) is not None)
    dialog = window.findChild(AboutDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.value("VividMed Viewer") == app_version() == metadata.version("vividmed")
    assert dialog.value("torch") == metadata.version("torch")
    assert dialog.value("Qt").startswith(qVersion())
    assert dialog.value("VTK") == vtkVersion.GetVTKVersion()
    assert dialog.value("Python").startswith(platform.python_version())
    model = dialog.value("Model")
    assert model.startswith("demo: demo weights, trained on synthetic phantoms only")
    assert "stage 3" in model and "smollm2-135m-instruct" in model
    assert dialog.value("Settings") == window.settings.fileName()
    assert dialog.value("Log file") == str(log_file_path())
    dialog.close()


class UrlCatcher(QObject):
    """Stands in for the desktop's file opener (Qt's own URL handler hook)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_log_file_opens_the_log_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOG_DIR_ENVIRONMENT, str(tmp_path / "logs"))
    window = make_window(qtbot)
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        help_action(window, "help_open_log").trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    expected = tmp_path / "logs" / "vividmed.log"
    assert [url.toLocalFile() for url in catcher.urls] == [str(expected)]
    assert expected.is_file()


def test_open_log_file_says_where_it_is_when_it_cannot(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder would be")
    monkeypatch.setenv(LOG_DIR_ENVIRONMENT, str(blocker / "logs"))
    window = make_window(qtbot)
    help_action(window, "help_open_log").trigger()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    shown = [box for box in boxes if box.isVisible() and box.windowTitle() == "Log file"]
    assert len(shown) == 1
    assert str(blocker / "logs" / "vividmed.log") in shown[0].text()
    shown[0].close()


LOG_PROBE = """
import logging
from vividmed_viewer.logs import configure_logging
path = configure_logging(verbose=False)
logging.getLogger("vividmed_viewer.probe").info("first start logged")
print(path)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
@pytest.mark.parametrize("xdg_state", [False, True])
def test_the_log_file_is_in_the_users_state_folder(tmp_path: Path, xdg_state: bool) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "VIVIDMED_"))}
    env["HOME"] = str(home)
    if xdg_state:
        env["XDG_STATE_HOME"] = str(tmp_path / "state")
    result = subprocess.run(
        [sys.executable, "-c", LOG_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "state" if xdg_state else home / ".local" / "state"
    expected = folder / "vividmed" / "log" / "vividmed.log"
    assert Path(result.stdout.strip()) == expected
    assert "INFO vividmed_viewer.probe: first start logged" in expected.read_text()
    assert "first start logged" not in result.stderr  # the console keeps WARNING and up
