"""ImageViewer under a real X server: layouts, highlight, hover, mouse habits, screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pydicom.data
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import (
    WINDOW_PRESETS,
    BoxOverlay,
    GroundedReport,
    ImageVolume,
    MaskOverlay,
    ValidationError,
    WindowLevel,
)
from vividmed_viewer.io import load_image
from vividmed_viewer.render.offscreen import read_png
from vividmed_viewer.ui.views.cursor_info import CursorInfo
from vividmed_viewer.ui.views.image_viewer import ImageViewer
from vividmed_viewer.ui.views.slice_view import SliceView

Case = tuple[ImageVolume, GroundedReport]
NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def send_mouse(
    widget: QWidget,
    kind: QEvent.Type,
    position: QPointF,
    button: Qt.MouseButton = Qt.MouseButton.NoButton,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    """Deliver a real Qt mouse event to a view's canvas."""
    global_position = QPointF(widget.mapToGlobal(position.toPoint()))
    buttons = button if kind != QEvent.Type.MouseButtonRelease else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, position, global_position, button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def drag(
    view: SliceView,
    start: QPointF,
    end: QPointF,
    button: Qt.MouseButton,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    send_mouse(view.canvas, QEvent.Type.MouseButtonPress, start, button, modifiers)
    send_mouse(view.canvas, QEvent.Type.MouseMove, end, button, modifiers)
    send_mouse(view.canvas, QEvent.Type.MouseButtonRelease, end, button, modifiers)


def wheel(view: SliceView, clicks: int) -> None:
    position = QPointF(view.canvas.width() / 2, view.canvas.height() / 2)
    event = QWheelEvent(
        position,
        QPointF(view.canvas.mapToGlobal(position.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * clicks),
        Qt.MouseButton.NoButton,
        NO_MODIFIER,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.canvas, event)


@pytest.fixture()
def viewer(qtbot: QtBot) -> ImageViewer:
    widget = ImageViewer()
    qtbot.addWidget(widget)
    widget.resize(640, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def show(viewer: ImageViewer, volume: ImageVolume, report: GroundedReport | None = None) -> str:
    """Open ``volume`` in the viewer's session (with ``report``); returns its image id."""
    image = viewer.set_volume(volume)
    if report is not None:
        viewer.session.set_report(image.image_id, report)
    return image.image_id


def record(emitter: Any) -> list[Any]:
    seen: list[Any] = []
    emitter.connect(seen.append)
    return seen


def nodule_of(report: GroundedReport) -> BoxOverlay:
    return next(o for o in report.overlays.values() if isinstance(o, BoxOverlay))


def test_volume_gets_four_views_and_radiograph_one(viewer: ImageViewer, sample_case: Case) -> None:
    volume, _ = sample_case
    viewer.set_volume(volume)
    assert [n for n, v in viewer.views.items() if v.isVisible()] == [
        "axial",
        "coronal",
        "sagittal",
        "3d",
    ]
    radiograph = load_image(pydicom.data.get_testdata_file("RG1_UNCR.dcm"))
    viewer.set_volume(radiograph)
    assert [n for n, v in viewer.views.items() if v.isVisible()] == ["axial"]
    assert viewer.slice_views["axial"].scene.slice_count == 1
    assert viewer.slice_views["axial"].scene.invert == radiograph.invert_for_display


def test_highlight_moves_every_view_to_the_region_centre(
    viewer: ImageViewer, sample_case: Case, qtbot: QtBot
) -> None:
    volume, report = sample_case
    image_id = show(viewer, volume, report)
    nodule = nodule_of(report)
    centre = np.rint(nodule.center_index()).astype(int)
    slice_events = record(viewer.session.events.slice)
    phrase = next(p for p in report.phrases if nodule.overlay_id in p.overlay_ids)
    viewer.session.select_phrase(image_id, phrase)  # what a click on the phrase does
    assert {e.view for e in slice_events} == {"axial", "coronal", "sagittal"}
    slices = {name: view.scene.slice_index for name, view in viewer.slice_views.items()}
    assert slices == {"axial": centre[0], "coronal": centre[1], "sagittal": centre[2]}
    assert all(v.scene.highlighted == nodule.overlay_id for v in viewer.slice_views.values())
    axial = viewer.slice_views["axial"].scene
    qtbot.waitUntil(lambda: axial.highlighted is None, timeout=1000)  # it blinks off...
    qtbot.waitUntil(lambda: axial.highlighted == nodule.overlay_id, timeout=1000)  # ...and on
    qtbot.waitUntil(lambda: viewer.highlighted is None, timeout=4000)  # then ends
    assert axial.highlighted is None
    with pytest.raises(ValidationError, match="no overlay 'missing' is shown in the viewer"):
        viewer.highlight_overlay("missing")


def test_hovering_a_region_emits_its_id_and_the_cursor_value(
    viewer: ImageViewer, sample_case: Case, qtbot: QtBot
) -> None:
    volume, report = sample_case
    show(viewer, volume, report)
    heart = next(o for o in report.overlays.values() if o.target == "heart")
    assert isinstance(heart, MaskOverlay)
    hovers = record(viewer.session.events.hover)
    index = tuple(int(v) for v in np.rint(heart.center_index()))
    axial = viewer.slice_views["axial"]
    axial.set_slice(index[0])
    position = axial.from_index(index)
    infos: list[CursorInfo | None] = []
    viewer.cursor_info_changed.connect(infos.append)
    send_mouse(axial.canvas, QEvent.Type.MouseMove, position)
    assert hovers[-1].overlay_id == heart.overlay_id  # the heart, not a region around it
    info = infos[-1]
    assert info is not None and info.view == "axial" and info.index == index
    assert info.value == float(volume.voxels[index]) and info.units == "HU"
    assert np.allclose(info.patient, volume.index_to_patient(index))
    qtbot.mouseMove(axial.canvas, position.toPoint())  # the pointer really is over the view
    send_mouse(axial.canvas, QEvent.Type.MouseMove, position)
    wheel(axial, 1)  # the slice changes under a still mouse: the read-out follows
    info = infos[-1]
    below = (index[0] + 1, index[1], index[2])
    assert info is not None and info.index == below and info.value == float(volume.voxels[below])
    coronal = viewer.slice_views["coronal"]
    before = coronal.scene.slice_index
    send_mouse(coronal.canvas, QEvent.Type.MouseMove, coronal.from_index((24, before, 64)))
    viewer.scroll(1)  # keys scroll the view under the cursor
    assert coronal.scene.slice_index == before + 1
    send_mouse(axial.canvas, QEvent.Type.MouseMove, QPointF(2, 2))
    assert hovers[-1].overlay_id is None


def test_wheel_scrolls_and_drags_change_window_and_zoom(
    viewer: ImageViewer, sample_case: Case, qtbot: QtBot
) -> None:
    volume, _ = sample_case
    image_id = show(viewer, volume)
    axial = viewer.slice_views["axial"]
    start = axial.scene.slice_index
    slices = record(viewer.session.events.slice)
    wheel(axial, 2)
    assert (slices[-1].view, slices[-1].index) == ("axial", start + 2)
    assert viewer.session.image(image_id).view_state.slices["axial"] == start + 2
    viewer.scroll(-1)
    assert axial.scene.slice_index == start + 1
    centre = QPointF(axial.canvas.width() / 2, axial.canvas.height() / 2)
    before = axial.scene.window
    drag(axial, centre, centre + QPointF(64, 0), Qt.MouseButton.LeftButton)
    assert axial.scene.window.width > before.width
    assert viewer.session.image(image_id).view_state.window == axial.scene.window
    assert viewer.slice_views["sagittal"].scene.window == axial.scene.window
    scale = axial.scene.renderer.GetActiveCamera().GetParallelScale()
    drag(axial, centre, centre + QPointF(0, -60), Qt.MouseButton.RightButton)
    assert axial.scene.renderer.GetActiveCamera().GetParallelScale() < scale
    focal = axial.scene.renderer.GetActiveCamera().GetFocalPoint()
    drag(axial, centre, centre + QPointF(30, 0), Qt.MouseButton.MiddleButton)
    assert axial.scene.renderer.GetActiveCamera().GetFocalPoint()[0] < focal[0]
    axial.setFocus()
    qtbot.keyClick(axial.canvas, Qt.Key.Key_R)  # r: Reset View, the window included
    assert axial.scene.renderer.GetActiveCamera().GetParallelScale() == pytest.approx(scale)
    assert axial.scene.window == volume.display_window == viewer.window_level


def test_ctrl_drag_windows_the_dragged_region(viewer: ImageViewer, sample_case: Case) -> None:
    volume, _ = sample_case
    viewer.set_volume(volume)
    axial = viewer.slice_views["axial"]
    index = (axial.scene.slice_index, 60, 40)  # inside the right lung (-850 HU)
    corner_a = axial.from_index((index[0], 55, 35))
    corner_b = axial.from_index((index[0], 65, 45))
    drag(axial, corner_a, corner_b, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier)
    window = viewer.window_level
    assert isinstance(window, WindowLevel)
    assert -950 < window.center < -750 and window.width < 150


def test_shift_move_links_the_crosshair_and_double_click_maximizes(
    viewer: ImageViewer, sample_case: Case
) -> None:
    volume, _ = sample_case
    viewer.set_volume(volume)
    axial = viewer.slice_views["axial"]
    index = (axial.scene.slice_index, 30, 100)
    send_mouse(
        axial.canvas,
        QEvent.Type.MouseMove,
        axial.from_index(index),
        modifiers=Qt.KeyboardModifier.ShiftModifier,
    )
    assert viewer.slice_views["coronal"].scene.slice_index == 30
    assert viewer.slice_views["sagittal"].scene.slice_index == 100
    assert viewer.slice_views["coronal"].scene.crosshair.GetVisibility()
    send_mouse(
        axial.canvas, QEvent.Type.MouseButtonDblClick, QPointF(20, 20), Qt.MouseButton.LeftButton
    )
    assert [n for n, v in viewer.views.items() if v.isVisible()] == ["axial"]
    send_mouse(
        axial.canvas, QEvent.Type.MouseButtonDblClick, QPointF(20, 20), Qt.MouseButton.LeftButton
    )
    assert viewer.views["3d"].isVisible()
    with pytest.raises(ValidationError, match="unknown view 'oblique'"):
        viewer.maximize("oblique")


def test_presets_invert_styles_and_screenshot(
    viewer: ImageViewer, sample_case: Case, tmp_path: Path
) -> None:
    volume, report = sample_case
    image_id = show(viewer, volume, report)
    viewer.apply_preset("bone")
    assert all(v.scene.window == WINDOW_PRESETS["bone"] for v in viewer.slice_views.values())
    with pytest.raises(ValidationError, match="unknown window preset 'skin'"):
        viewer.apply_preset("skin")
    viewer.toggle_invert()
    assert viewer.slice_views["coronal"].scene.invert
    heart = next(o for o in report.overlays.values() if o.target == "heart")
    viewer.session.set_style(image_id, heart.overlay_id, visible=False, opacity=0.8)
    style = viewer.slice_views["axial"].scene.overlay_style(heart.overlay_id)
    assert not style.visible and style.opacity == 0.8
    viewer.set_mask_display("outline")
    sagittal = viewer.slice_views["sagittal"].scene
    assert sagittal.overlay_style(heart.overlay_id).mask_display == "outline"
    path = viewer.save_screenshot(tmp_path / "views.png")
    frame = read_png(path)
    assert frame.shape[:2] == (viewer.height(), viewer.width()) and frame.std() > 10
    viewer.clear()
    assert viewer.slice_views["axial"].scene.volume is None
