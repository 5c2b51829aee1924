"""SliceView keyboard habits, cursor leaving, and the 3D view's fallback."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume
from vividmed_viewer.ui.views.image_viewer import ImageViewer, _make_volume_view
from vividmed_viewer.ui.views.slice_view import SliceView


def press(widget: QWidget, key: Qt.Key) -> None:
    event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def test_keys_scroll_and_reset(
    qtbot: QtBot, sample_case: tuple[ImageVolume, GroundedReport]
) -> None:
    volume, _ = sample_case
    view = SliceView("sagittal")
    qtbot.addWidget(view)
    view.resize(240, 200)
    view.show()
    qtbot.waitExposed(view)
    view.set_volume(volume)
    start = view.scene.slice_index
    assert view.scene.slice_count == volume.shape[2]
    for key, expected in (
        (Qt.Key.Key_Up, 1),
        (Qt.Key.Key_F, 2),
        (Qt.Key.Key_B, 1),
        (Qt.Key.Key_Down, 0),
    ):
        press(view.canvas, key)
        assert view.scene.slice_index == start + expected
    with qtbot.waitSignal(view.reset_requested):  # the viewer resets window and camera
        press(view.canvas, Qt.Key.Key_R)
    with qtbot.waitSignal(view.cursor_moved) as left:
        QApplication.sendEvent(view.canvas, QEvent(QEvent.Type.Leave))
    assert left.args == [None]


def test_missing_3d_view_gives_a_placeholder(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, sample_case: tuple[ImageVolume, GroundedReport]
) -> None:
    monkeypatch.setitem(sys.modules, "vividmed_viewer.ui.views.volume_view", None)
    placeholder = _make_volume_view(QWidget())
    assert isinstance(placeholder, QLabel) and placeholder.text() == "3D view unavailable"
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    volume, report = sample_case
    image = viewer.set_volume(volume)
    viewer.session.set_report(image.image_id, report)
    viewer.highlight_overlay(next(iter(report.overlays)))
    viewer.reset_view()
