"""A minimal :class:`~vividmed_viewer.ui.shell.Shell` for testing feature modules.

``TestShell`` is a real ``QMainWindow`` with docks, menus, a status bar, an action
registry and a real :class:`Session`, and nothing else (no views, no loading), so a feature
(the model, the measurement tools) can be tested before or without the main window::

    shell = make_shell(qtbot)
    features = ModelFeatures(shell.session, shell)

It records what the feature asked of it: ``busy_messages`` (every ``set_busy`` call) and
``errors`` (title and text of every ``show_error``, which also opens the real dialog).
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from vividmed_viewer.core.session import Session
from vividmed_viewer.ui.actions import ActionRegistry
from vividmed_viewer.ui.error_dialog import describe_error, show_error
from vividmed_viewer.ui.settings import app_settings


class TestShell(QMainWindow):
    """The window furniture a feature may use; implements the ``Shell`` protocol."""

    __test__ = False  # not a pytest test class

    def __init__(self, session: Session | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Test shell")
        self.session = session or Session()
        self.settings = settings or app_settings()
        self.action_registry = ActionRegistry(self.settings)
        self.action_registry.create_qactions(self)
        self.panel_docks: dict[str, QDockWidget] = {}
        self.menus: dict[str, QMenu] = {}
        self.help_menu = self.menuBar().addMenu("&Help")
        self.status = QStatusBar(self)
        self.setStatusBar(self.status)
        self.busy: str | None = None
        self.busy_messages: list[str | None] = []
        self.errors: list[tuple[str, str]] = []
        self.setCentralWidget(QWidget(self))

    def widget(self) -> QWidget:
        return self

    def add_panel(
        self,
        widget: QWidget,
        title: str,
        name: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        tabify_with: str | None = None,
    ) -> QDockWidget:
        dock = self.panel_docks[name] = QDockWidget(title, self)
        dock.setWidget(widget)
        dock.setObjectName(f"dock_{name}")
        self.addDockWidget(area, dock)
        if tabify_with:
            self.tabifyDockWidget(self.panel_docks[tabify_with], dock)
        return dock

    def show_panel(self, name: str) -> None:
        self.panel_docks[name].show()
        self.panel_docks[name].raise_()

    def add_menu(self, title: str) -> QMenu:
        """A menu before Help, created once per title."""
        if title not in self.menus:
            menu = QMenu(title, self)
            self.menuBar().insertMenu(self.help_menu.menuAction(), menu)
            self.menus[title] = menu
        return self.menus[title]

    def show_status(self, message: str, timeout_ms: int = 10_000) -> None:
        self.status.showMessage(message, timeout_ms)

    def set_busy(self, message: str | None) -> None:
        self.busy = message
        self.busy_messages.append(message)
        if message is not None:
            self.status.showMessage(message)

    def show_error(self, title: str, error: BaseException | str) -> None:
        self.errors.append((title, describe_error(error)))
        show_error(self, title, error)


W = TypeVar("W", bound=QWidget)


def shown(qtbot: QtBot, widget: W, size: tuple[int, int] = (1000, 700)) -> W:
    """``widget`` resized, shown and exposed; closed and deleted after the test."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def make_shell(qtbot: QtBot, session: Session | None = None) -> TestShell:
    """A shown test shell."""
    return shown(qtbot, TestShell(session))
