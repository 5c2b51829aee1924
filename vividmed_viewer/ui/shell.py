"""``Shell``: the narrow part of the main window that feature modules may use.

A feature (the model's menu and chat, the measurement tools, a reader study) gets the
:class:`~vividmed_viewer.core.session.Session` for all shared state and a ``Shell`` for
the window's furniture: add a panel, show a status message or progress, report an error,
register actions. It never reaches into the main window's other attributes, so features
do not import ``main_window`` (no import cycle) and can be tested with any shell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QToolBar, QWidget

from vividmed_viewer.core.session import Session
from vividmed_viewer.ui.actions import ActionRegistry
from vividmed_viewer.ui.views.image_viewer import ImageViewer


class Shell(Protocol):
    """What the main window offers a feature module."""

    session: Session
    settings: QSettings
    action_registry: ActionRegistry

    def widget(self) -> QWidget:
        """The parent for the feature's dialogs and panels."""
        ...

    def add_panel(
        self,
        widget: QWidget,
        title: str,
        name: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        tabify_with: str | None = None,
    ) -> QDockWidget: ...

    def show_panel(self, name: str) -> None:
        """Show the dock ``name`` and bring it to the front."""
        ...

    def add_menu(self, title: str) -> QMenu:
        """A top-level menu (created once per title) for the feature's actions."""
        ...

    def show_status(self, message: str, timeout_ms: int = 10_000) -> None: ...

    def set_busy(self, message: str | None) -> None:
        """A busy indicator with ``message`` in the status bar; None ends it."""
        ...

    def show_error(self, title: str, error: BaseException | str) -> None: ...


class WindowHost(Shell, Protocol):
    """The main window as its own menus, toolbar and file dialogs see it."""

    viewer: ImageViewer
    toolbar: QToolBar
    panel_docks: dict[str, QDockWidget]
    panels_menu: QMenu | None

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 (Qt API)

    def close(self) -> bool: ...

    def open_path(self, path: str | Path, show: bool = True) -> None: ...

    def open_report(self, path: str | Path, wait_for_image: bool = False) -> None: ...

    def set_results_dir(self, folder: str | Path) -> None: ...

    def show_shortcuts(self) -> object: ...

    def show_about(self) -> None: ...
