"""The action registry: defaults, rebinding that persists, and the shortcuts dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import ValidationError
from vividmed_viewer.ui.actions import DEFAULT_ACTIONS, ActionRegistry, ActionSpec
from vividmed_viewer.ui.settings import app_settings
from vividmed_viewer.ui.shortcuts_dialog import KEYS_COLUMN, ShortcutsDialog


def test_default_keys_follow_radiology_habits(settings: QSettings) -> None:
    registry = ActionRegistry(settings)
    assert registry.keys("reset_view") == ("R",)
    assert registry.keys("invert") == ("I",)
    assert [
        registry.keys(f"preset_{n}")[0] for n in ("soft_tissue", "lung", "liver", "bone", "brain")
    ] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert set(registry.keys("next_slice")) == {"Up", "F"}
    assert set(registry.keys("previous_slice")) == {"Down", "B"}
    ids = [spec.action_id for spec in DEFAULT_ACTIONS]
    assert len(ids) == len(set(ids))


def test_no_two_default_actions_share_a_key(settings: QSettings) -> None:
    registry = ActionRegistry(settings)
    keys = [key for spec in registry.specs for key in registry.keys(spec.action_id)]
    assert len(keys) == len(set(keys))


def test_rebinding_persists_across_registries(settings: QSettings) -> None:
    registry = ActionRegistry(settings)
    registry.set_keys("invert", ["ctrl+i", "n"])
    reopened = ActionRegistry(app_settings())
    assert reopened.keys("invert") == ("Ctrl+I", "N")
    reopened.reset_keys("invert")
    assert ActionRegistry(app_settings()).keys("invert") == ("I",)


def test_rebinding_to_a_used_key_names_the_owner(settings: QSettings) -> None:
    registry = ActionRegistry(settings)
    with pytest.raises(ValidationError, match="already used by 'Reset View'"):
        registry.set_keys("invert", ["R"])
    assert registry.keys("invert") == ("I",)


def test_unknown_action_is_reported(settings: QSettings) -> None:
    registry = ActionRegistry(settings)
    with pytest.raises(ValidationError, match="no action 'fly'"):
        registry.keys("fly")


def test_key_press_runs_the_bound_callback(qtbot: QtBot, settings: QSettings) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    registry = ActionRegistry(settings)
    registry.create_qactions(widget)
    calls: list[str] = []
    registry.bind("invert", lambda: calls.append("invert"))
    assert not registry.qaction("reset_view").isEnabled()  # nothing bound yet
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=3000)
    qtbot.keyClick(widget, Qt.Key.Key_I)
    assert calls == ["invert"]
    registry.set_keys("invert", ["J"])
    assert registry.qaction("invert").shortcuts() == [QKeySequence("J")]
    qtbot.keyClick(widget, Qt.Key.Key_J)
    assert calls == ["invert", "invert"]


def test_panels_register_their_own_actions(qtbot: QtBot, settings: QSettings) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    registry = ActionRegistry(settings)
    registry.create_qactions(widget)
    registry.register(ActionSpec("ask", "Ask", ("Ctrl+Return",), "Send the question", "Chat"))
    assert registry.qaction("ask").shortcuts() == [QKeySequence("Ctrl+Return")]
    with pytest.raises(ValidationError, match="registered twice"):
        registry.register(ActionSpec("ask", "Ask again"))


def test_help_dialog_lists_every_action_and_rebinds(qtbot: QtBot, settings: QSettings) -> None:
    registry = ActionRegistry(settings)
    dialog = ShortcutsDialog(registry)
    qtbot.addWidget(dialog)
    table = dialog.table
    assert table.rowCount() == len(registry.specs)
    listed = {
        table.item(row, 0).text(): table.item(row, KEYS_COLUMN).text()
        for row in range(table.rowCount())
    }
    assert listed["Invert"] == "I"
    assert listed["Lung window"] == "2"
    assert listed["Next Slice"] == "Up, F"
    row = next(r for r in range(table.rowCount()) if dialog.action_id_at(r) == "invert")
    dialog.set_keys_text(row, "Ctrl+I")
    assert ActionRegistry(app_settings()).keys("invert") == ("Ctrl+I",)
    dialog.set_keys_text(row, "R")  # taken by Reset View
    assert "already used by 'Reset View'" in dialog.message.text()
    assert table.item(row, KEYS_COLUMN).text() == "Ctrl+I"
