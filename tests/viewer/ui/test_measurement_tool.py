"""Measuring with the mouse on a real SliceView: draw, edit by dragging a dot, label, delete.

The window here is the test shell (a real QMainWindow with docks, menus and the action
registry) with one slice view; the session, the slice view, the tool, the layers and the
panel are the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot
from shell_fixture import TestShell

from vividmed_viewer.core import ImageVolume, WindowLevel
from vividmed_viewer.core.measurement_values import measure
from vividmed_viewer.core.measurements import MeasurementKind
from vividmed_viewer.core.session import Session
from vividmed_viewer.ui.measurement_features import MeasurementFeatures
from vividmed_viewer.ui.measurement_panel import MeasurementPanel
from vividmed_viewer.ui.views.slice_view import SliceView

SHAPE = (5, 40, 40)
SPACING = (2.0, 0.5, 0.5)


class ShellWindow(TestShell):
    """The test shell (``shell_fixture``) with one slice view in the centre."""

    def __init__(self, session: Session, settings: QSettings) -> None:
        super().__init__(session, settings)
        self.view = SliceView("axial", self)
        self.setCentralWidget(self.view)
        self.features: MeasurementFeatures | None = None


def ct_volume() -> ImageVolume:
    """A CT whose value is the column index (HU) on every slice."""
    voxels = np.broadcast_to(np.arange(SHAPE[2], dtype=np.int16), SHAPE).copy()
    return ImageVolume(voxels, spacing=SPACING, modality="CT", window=WindowLevel(20, 40))


@pytest.fixture()
def window(qtbot: QtBot, settings: QSettings) -> Iterator[ShellWindow]:
    session = Session()
    shell = ShellWindow(session, settings)
    qtbot.addWidget(shell)
    shell.resize(900, 600)
    shell.show()
    qtbot.waitExposed(shell)
    image = session.open_image(ct_volume())
    shell.view.set_volume(image.volume)  # what the image viewer does for the active image
    shell.view.set_slice(2)
    shell.features = MeasurementFeatures(session, shell, {"axial": shell.view}, None)
    yield shell


def features_of(window: ShellWindow) -> MeasurementFeatures:
    assert window.features is not None
    return window.features


def cell(panel: MeasurementPanel, row: int, column: int) -> QTableWidgetItem:
    item = panel.table.item(row, column)
    assert item is not None
    return item


def at(view: SliceView, index: tuple[float, float, float]) -> QPoint:
    return view.from_index(index).toPoint()


def drag(qtbot: QtBot, view: SliceView, start: QPoint, end: QPoint) -> None:
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    qtbot.mousePress(view.canvas, left, none, start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(view.canvas, middle)
    qtbot.mouseMove(view.canvas, end)
    qtbot.mouseRelease(view.canvas, left, none, end)


def click(qtbot: QtBot, view: SliceView, position: QPoint) -> None:
    qtbot.mouseMove(view.canvas, position)
    qtbot.mouseClick(
        view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position
    )


def test_drag_a_length_then_move_its_end_then_delete_it(qtbot: QtBot, window: ShellWindow) -> None:
    features, view, session = features_of(window), window.view, window.session
    registry = window.action_registry
    assert registry.qaction("tool_length").shortcut().toString() == "L"
    registry.qaction("tool_length").trigger()
    assert (
        features.tool.kind is MeasurementKind.LENGTH and registry.qaction("tool_length").isChecked()
    )
    drag(qtbot, view, at(view, (2, 10, 8)), at(view, (2, 10, 28)))
    image = session.active
    assert image is not None and len(image.measurements) == 1
    line = next(iter(image.measurements.values()))
    assert line.kind is MeasurementKind.LENGTH and line.view == "axial" and line.axis == 0
    assert np.allclose(line.points, ((2, 10, 8), (2, 10, 28)), atol=0.15)
    # 20 columns × 0.5 mm; the panel lists it and the view draws it with its value.
    panel = features.panel
    assert panel.rows == [line.measurement_id]
    assert cell(panel, 0, 1).text() == "10.0 mm"
    assert features.layers["axial"].visible_ids() == [line.measurement_id]
    assert features.layers["axial"].items[line.measurement_id].label.GetInput() == "10.0 mm"

    # Grab the far end's dot and pull it down 10 rows: the same measurement, longer.
    drag(qtbot, view, at(view, line.points[1]), at(view, (2, 30, 28)))
    edited = image.measurements[line.measurement_id]
    assert len(image.measurements) == 1
    assert np.allclose(edited.points[0], line.points[0])
    assert np.allclose(edited.points[1], (2, 30, 28), atol=0.15)
    longer = measure(edited, image.volume)
    assert longer.length == pytest.approx(np.hypot(10, 10), abs=0.1)  # mm
    assert cell(panel, 0, 1).text() == longer.summary()

    # The label is edited in the panel and drawn over the value.
    cell(panel, 0, 2).setText("aorta")
    assert image.measurements[line.measurement_id].label == "aorta"
    assert (
        features.layers["axial"].items[line.measurement_id].label.GetInput().startswith("aorta\n")
    )

    # Selecting the row takes the views there; Delete removes it from the session.
    row_centre = panel.table.visualItemRect(cell(panel, 0, 0)).center()
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=row_centre)
    centre = image.volume.index_to_patient(edited.centre())
    crosshair = image.view_state.crosshair
    assert crosshair is not None and np.allclose(crosshair, centre)
    assert image.view_state.slices["axial"] == 2
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert not image.measurements and panel.rows == []
    assert features.layers["axial"].items == {}


def test_three_clicks_make_an_angle_and_escape_cancels(qtbot: QtBot, window: ShellWindow) -> None:
    features, view, session = features_of(window), window.view, window.session
    image = session.active
    assert image is not None
    features.set_tool(MeasurementKind.ANGLE)
    click(qtbot, view, at(view, (2, 30, 10)))
    click(qtbot, view, at(view, (2, 10, 10)))
    qtbot.mouseMove(view.canvas, at(view, (2, 10, 25)))
    assert features.tool.busy  # the draft follows the mouse
    draft = features.layers["axial"].draft
    assert draft is not None and draft.label.GetVisibility()
    qtbot.keyClick(view.canvas, Qt.Key.Key_Escape)
    assert not features.tool.busy and not image.measurements
    assert features.tool.kind is MeasurementKind.ANGLE and features.layers["axial"].draft is None

    for index in ((2, 30, 10), (2, 10, 10), (2, 10, 30)):
        click(qtbot, view, at(view, index))
    angle = next(iter(image.measurements.values()))
    assert angle.kind is MeasurementKind.ANGLE
    assert cell(features.panel, 0, 1).text() == "90.0°"
    qtbot.keyClick(view.canvas, Qt.Key.Key_Escape)  # nothing under way: back to Navigate
    assert features.tool.kind is None
    assert window.action_registry.qaction("tool_navigate").isChecked()


def test_an_ellipse_roi_lists_hu_statistics_and_navigate_keeps_window_level(
    qtbot: QtBot, window: ShellWindow
) -> None:
    features, view, session = features_of(window), window.view, window.session
    image = session.active
    assert image is not None
    window.action_registry.qaction("tool_ellipse").trigger()
    drag(qtbot, view, at(view, (2, 10, 10)), at(view, (2, 30, 30)))
    roi = next(iter(image.measurements.values()))
    assert roi.kind is MeasurementKind.ELLIPSE
    values = measure(roi, image.volume)  # about symmetric around column 20: mean ≈ 20 HU
    assert values.mean == pytest.approx(20.0, abs=0.3) and values.area == pytest.approx(
        np.pi * 5 * 5, rel=0.03
    )
    text = cell(features.panel, 0, 1).text()
    assert text == values.summary() and " HU, " in text and text.endswith("mm²")
    label = features.layers["axial"].items[roi.measurement_id].label.GetInput()
    assert label.startswith("Mean 20.") and "HU" in label and "Area" in label
    # A click without a drag measures nothing.
    click(qtbot, view, at(view, (2, 5, 5)))
    assert len(image.measurements) == 1

    window.action_registry.qaction("tool_navigate").trigger()
    with qtbot.waitSignal(view.window_changed):  # a left drag windows again
        drag(qtbot, view, at(view, (2, 5, 5)), at(view, (2, 5, 15)))
    assert len(image.measurements) == 1
    # Navigate still edits: a corner's dot can be pulled.
    drag(qtbot, view, at(view, roi.points[0]), at(view, (2, 4, 4)))
    assert np.allclose(image.measurements[roi.measurement_id].points[0], (2, 4, 4), atol=0.15)
    features.panel.table.selectRow(0)
    features.panel.delete_button.click()
    assert not image.measurements
