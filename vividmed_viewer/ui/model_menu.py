"""The Model menu and its actions (registered in the shell's action registry, keys editable)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from vividmed_viewer.ui.actions import ActionRegistry, ActionSpec

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


def build_model_menu(menu: QMenu, registry: ActionRegistry) -> QAction:
    """Fill the Model menu; returns its first entry, a disabled line naming the loaded model."""
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
    return model_line


def toolbar_actions(registry: ActionRegistry) -> list[QAction]:
    """The buttons the model puts on the window's toolbar (Generate, Stop)."""
    return [registry.qaction(action_id) for action_id in TOOLBAR_ACTIONS]
