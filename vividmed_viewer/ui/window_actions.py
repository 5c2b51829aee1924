"""Bind the registry's actions to the main window and build its menus and toolbar."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QMenu

from vividmed_viewer.core import WINDOW_PRESETS
from vividmed_viewer.ui import file_dialogs
from vividmed_viewer.ui.log_file import open_log_file
from vividmed_viewer.ui.shell import WindowHost
from vividmed_viewer.ui.welcome import show_welcome

LAYOUTS = (
    ("All views", None),
    ("Axial", "axial"),
    ("Coronal", "coronal"),
    ("Sagittal", "sagittal"),
    ("3D", "3d"),
)
MASK_MODES = (("Fill and outline", "both"), ("Fill only", "fill"), ("Outline only", "outline"))


class MaximizeToggle:
    """Maximize the view last under the cursor; the same key restores all views.

    Which view is maximized is the session's (``session.maximized``); this remembers only
    the view the cursor was last in.
    """

    def __init__(self, window: WindowHost) -> None:
        self.window = window
        self.last_view = "axial"
        window.viewer.cursor_info_changed.connect(self._remember)

    @property
    def maximized(self) -> str | None:
        return self.window.session.maximized

    def _remember(self, info: Any) -> None:
        if info is not None and getattr(info, "view", None):
            self.last_view = str(info.view)

    def toggle(self) -> None:
        self.set(None if self.maximized else self.last_view)

    def set(self, view: str | None) -> None:
        self.window.viewer.maximize(view)


def bind_viewer_actions(window: WindowHost) -> MaximizeToggle:
    """Attach each registry action to the window's and the viewer's methods."""
    registry, viewer = window.action_registry, window.viewer
    maximize_toggle = MaximizeToggle(window)
    bindings: dict[str, Callable[[], object]] = {
        "open_file": partial(file_dialogs.choose_file, window),
        "open_folder": partial(file_dialogs.choose_folder, window),
        "open_report": partial(file_dialogs.choose_report, window),
        "open_results": partial(file_dialogs.choose_results, window),
        "save_screenshot": partial(file_dialogs.choose_screenshot, window),
        "quit": window.close,
        "reset_view": viewer.reset_view,
        "invert": viewer.toggle_invert,
        "next_slice": lambda: viewer.scroll(1),
        "previous_slice": lambda: viewer.scroll(-1),
        "maximize": maximize_toggle.toggle,
        "help_shortcuts": window.show_shortcuts,
    }
    for name in WINDOW_PRESETS:
        bindings[f"preset_{name.replace(' ', '_')}"] = partial(viewer.apply_preset, name)
    for action_id, callback in bindings.items():
        registry.bind(action_id, callback)
    return maximize_toggle


def build_menus(window: WindowHost, maximize_toggle: MaximizeToggle) -> QMenu:
    """File, View, Panels and Help menus plus the toolbar; returns the Recent submenu."""
    registry, menu_bar = window.action_registry, window.menuBar()
    file_menu = menu_bar.addMenu("&File")
    for action_id in ("open_file", "open_folder", "open_report", "open_results"):
        file_menu.addAction(registry.qaction(action_id))
    recent_menu = file_menu.addMenu("Recent")
    file_menu.addAction(registry.qaction("save_screenshot"))
    file_menu.addSeparator()
    file_menu.addAction(registry.qaction("quit"))

    view_menu = menu_bar.addMenu("&View")
    layout_menu = view_menu.addMenu("Layout")
    for label, view in LAYOUTS:
        action = QAction(label, layout_menu)
        action.triggered.connect(lambda _=False, v=view: maximize_toggle.set(v))
        layout_menu.addAction(action)
    preset_menu = view_menu.addMenu("Window presets")
    for spec in registry.specs:
        if spec.action_id.startswith("preset_"):
            preset_menu.addAction(registry.qaction(spec.action_id))
    for action_id in ("invert", "reset_view", "next_slice", "previous_slice", "maximize"):
        view_menu.addAction(registry.qaction(action_id))
    mask_menu = view_menu.addMenu("Mask display")
    group = QActionGroup(mask_menu)
    for label, mode in MASK_MODES:
        action = QAction(label, mask_menu, checkable=True)
        action.setObjectName(f"mask_display_{mode}")
        action.setChecked(mode == "both")
        action.triggered.connect(lambda _=False, m=mode: window.viewer.set_mask_display(m))
        group.addAction(action)
        mask_menu.addAction(action)

    panels_menu = menu_bar.addMenu("&Panels")
    window.panels_menu = panels_menu
    for dock in window.panel_docks.values():
        panels_menu.addAction(dock.toggleViewAction())

    help_menu = menu_bar.addMenu("&Help")
    _add_help_action(help_menu, "Welcome…", "help_welcome", lambda: show_welcome(window))
    help_menu.addAction(registry.qaction("help_shortcuts"))
    _add_help_action(
        help_menu, "Open Log File", "help_open_log", lambda: open_log_file(window.widget())
    )
    help_menu.addSeparator()
    _add_help_action(help_menu, "About", "help_about", window.show_about)

    for toolbar_entry in (
        "open_file",
        "open_folder",
        "open_report",
        None,
        "reset_view",
        "invert",
        None,
        "save_screenshot",
    ):
        if toolbar_entry is None:
            window.toolbar.addSeparator()
        else:
            window.toolbar.addAction(registry.qaction(toolbar_entry))
    window.toolbar.addWidget(_preset_box(window))
    return recent_menu


def _add_help_action(menu: QMenu, label: str, name: str, callback: Callable[[], object]) -> QAction:
    action = QAction(label, menu)
    action.setObjectName(name)
    action.triggered.connect(lambda _=False: callback())
    menu.addAction(action)
    return action


def _preset_box(window: WindowHost) -> QComboBox:
    """A toolbar list of the window/level presets (keys 1–5 do the same)."""
    box = QComboBox(window.toolbar)
    box.setObjectName("preset_box")
    box.addItem("Window preset…")
    for number, name in enumerate(WINDOW_PRESETS, start=1):
        preset = WINDOW_PRESETS[name]
        box.addItem(f"{number}  {name} ({preset.describe()})", name)

    def chosen(index: int) -> None:
        if index > 0:
            window.viewer.apply_preset(str(box.itemData(index)))
            box.setCurrentIndex(0)

    box.currentIndexChanged.connect(chosen)
    return box
