"""The Model menu and its actions (registered in the window's action registry, keys editable)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from vividmed_viewer.ui.actions import ActionRegistry, ActionSpec

if TYPE_CHECKING:
    from vividmed_viewer.ui.main_window import MainWindow

MODEL_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "generate_report",
        "Generate Report",
        ("Ctrl+G",),
        "Write a grounded report of the open image with the model",
        "Model",
    ),
    ActionSpec(
        "stop_generation",
        "Stop",
        ("Ctrl+.",),
        "Stop the report or answer being written (the partial text is kept)",
        "Model",
    ),
    ActionSpec(
        "ask_question", "Ask a Question", ("Ctrl+L",), "Type a question in the chat", "Model"
    ),
    ActionSpec(
        "load_default_model",
        "Load Default Model",
        (),
        "Load the shipped default model (a demonstration model trained on synthetic phantoms)",
        "Model",
    ),
    ActionSpec("open_model", "Open Model…", (), "Load a model from a checkpoint folder", "Model"),
    ActionSpec(
        "model_info", "Model Information…", (), "Which model, checkpoint and settings", "Model"
    ),
    ActionSpec(
        "model_preferences",
        "Model Preferences…",
        (),
        "Device, max new tokens, box threshold",
        "Model",
    ),
)
TOOLBAR_ACTIONS = ("generate_report", "stop_generation")


def register_model_actions(registry: ActionRegistry) -> None:
    for spec in MODEL_ACTIONS:
        registry.register(spec)


def _help_menu_action(window: MainWindow) -> QAction | None:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == "Help":
            return action
    return None


def build_model_menu(window: MainWindow) -> tuple[QMenu, QAction]:
    """The Model menu (before Help) and the toolbar buttons; returns the menu and its
    first entry, a disabled line naming the loaded model."""
    registry = window.action_registry
    menu = QMenu("&Model", window)
    menu.setObjectName("model_menu")
    model_line = QAction("Model: not loaded (loads on first use)", menu)
    model_line.setObjectName("model_status_line")
    model_line.setEnabled(False)
    menu.addAction(model_line)
    menu.addSeparator()
    for action_id in ("generate_report", "stop_generation", "ask_question"):
        menu.addAction(registry.qaction(action_id))
    menu.addSeparator()
    for action_id in ("load_default_model", "open_model", "model_info"):
        menu.addAction(registry.qaction(action_id))
    menu.addSeparator()
    menu.addAction(registry.qaction("model_preferences"))
    help_action = _help_menu_action(window)
    if help_action is not None:
        window.menuBar().insertMenu(help_action, menu)
    else:
        window.menuBar().addMenu(menu)
    window.toolbar.addSeparator()
    for action_id in TOOLBAR_ACTIONS:
        window.toolbar.addAction(registry.qaction(action_id))
    return menu, model_line
