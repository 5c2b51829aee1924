"""The Model menu, the toolbar buttons and the model preferences (stored in settings)."""

from __future__ import annotations

from model_window import ModelShell
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from shell_fixture import shown

from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.ui.preferences_dialog import read_inference_settings
from vividmed_viewer.ui.settings import app_settings


def make_window(qtbot: QtBot) -> ModelShell:
    return shown(qtbot, ModelShell())


def test_model_menu_and_toolbar_use_the_action_registry(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    features = window.model_features
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus.index("Model") == menus.index("Help") - 1  # the shell put it before Help
    entries = [a.text() for a in features.menu.actions() if a.text()]
    assert entries[0] == "Model: not loaded (loads on first use)"
    assert "Open Model…" in entries and "Model Preferences…" in entries
    toolbar = [a.objectName() for a in features.toolbar_actions]
    assert toolbar == ["action_generate_report", "action_stop_generation"]
    registry = window.action_registry
    assert registry.keys("generate_report") == ("Ctrl+G",)
    assert not registry.qaction("stop_generation").isEnabled()  # nothing runs
    assert window.panel_docks["chat"].windowTitle() == "Chat"
    # Generate without an image says what to do instead of failing.
    registry.qaction("generate_report").trigger()
    assert window.status.currentMessage() == "Open an image first, then generate its report"
    assert not features.controller.busy and window.busy_messages == []
    assert not features.ask("Is there a nodule?")
    info = features.show_model_info()
    assert "loads on first use" in info.text()
    info.close()
    registry.qaction("ask_question").trigger()
    assert window.panel_docks["chat"].isVisible()


def test_preferences_dialog_edits_and_stores_the_settings(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    controller = window.model_features.controller
    dialog = window.model_features.edit_preferences()
    dialog.device_box.setCurrentIndex(dialog.device_box.findData("cpu"))
    dialog.tokens_box.setValue(77)
    dialog.threshold_default.setChecked(False)
    dialog.threshold_box.setValue(0.3)
    dialog.grounded_box.setChecked(False)
    dialog.accept()
    expected = InferenceSettings(
        device="cpu", max_new_tokens=77, box_threshold=0.3, grounded_chat=False
    )
    assert controller.settings == expected
    assert read_inference_settings(app_settings()) == expected
    dialog = window.model_features.edit_preferences()
    assert dialog.tokens_box.value() == 77 and not dialog.threshold_default.isChecked()
    dialog.reject()


def test_invalid_stored_preferences_fall_back_to_the_defaults(settings: QSettings) -> None:
    settings.setValue("model/device", "tpu")
    settings.setValue("model/max_new_tokens", "lots")
    assert read_inference_settings(settings) == InferenceSettings()
