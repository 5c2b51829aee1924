"""VolumeView in a real X window (xvfb + xcb): volume shows, surfaces arrive from a worker, mouse rotates."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import vtk
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import Box, BoxOverlay, ImageVolume, MaskOverlay
from vividmed_viewer.render.offscreen import read_frame


def sphere_ct() -> ImageVolume:
    z, y, x = np.mgrid[:48, :48, :48]
    voxels = np.full((48, 48, 48), -1000, dtype=np.int16)
    voxels[(z - 24) ** 2 + (y - 24) ** 2 + (x - 24) ** 2 < 64] = 1200
    return ImageVolume(voxels, modality="CT")


def window_pixels(window: vtk.vtkRenderWindow) -> NDArray[np.uint8]:
    window.Render()
    return read_frame(window)


@pytest.fixture()
def view(qtbot: QtBot) -> Iterator[object]:
    if QGuiApplication.platformName() != "xcb":
        pytest.skip("QVTKRenderWindowInteractor renders only on a real X server (xvfb + xcb)")
    from vividmed_viewer.ui.views.volume_view import VolumeView

    widget = VolumeView()
    widget.resize(320, 340)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def test_view_shows_the_volume_and_switches_presets(view) -> None:  # type: ignore[no-untyped-def]
    view.set_volume(sphere_ct())
    pixels = window_pixels(view.render_window)
    rows, columns = np.nonzero(pixels.max(axis=2) > 60)
    assert rows.size > 200
    assert abs(rows.mean() / pixels.shape[0] - 0.5) < 0.06
    assert abs(columns.mean() / pixels.shape[1] - 0.5) < 0.06
    assert view.preset_combo.currentText() == "CT bone"
    view.preset_combo.setCurrentText("CT lung")  # as if picked from the combo
    assert view.scene.preset_name == "CT lung"
    assert not np.array_equal(window_pixels(view.render_window), pixels)


def test_mask_surfaces_arrive_from_a_worker(view, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    volume = sphere_ct()
    view.set_volume(volume)
    region = np.zeros(volume.shape, dtype=np.uint8)
    region[30:44, 4:20, 30:44] = 1  # superior, anterior, patient left of the bone ball
    mask = MaskOverlay("nodule", region, volume.geometry, colour=(0, 220, 0))
    boxes = BoxOverlay(
        "mass", [Box((4, 4, 4), (12, 12, 12))], volume.geometry, colour=(255, 0, 255)
    )
    with qtbot.waitSignal(view.surfaces_ready, timeout=20_000):
        view.set_overlays([mask, boxes])
        assert view.scene.overlay_props(boxes.overlay_id).has_geometry
    assert not view.surfaces_pending
    assert view.scene.overlay_props(mask.overlay_id).has_geometry
    pixels = window_pixels(view.render_window).astype(int)
    green = (pixels[..., 1] > 80) & (pixels[..., 1] > pixels[..., 0] + 40)
    assert green.sum() > 100
    bone = (pixels.max(axis=2) > 60) & (np.ptp(pixels, axis=2) < 60)
    assert bone.sum() > 100
    view.volume_button.click()  # hide the volume: the bone goes, the surface stays
    assert not view.scene.volume_visible
    hidden = window_pixels(view.render_window).astype(int)
    assert ((hidden.max(axis=2) > 60) & (np.ptp(hidden, axis=2) < 60)).sum() == 0
    assert ((hidden[..., 1] > 80) & (hidden[..., 1] > hidden[..., 0] + 40)).sum() > 100
    view.set_volume_visible(True)
    assert view.volume_button.isChecked()
    view.highlight_overlay(mask.overlay_id)
    view.set_overlay_style(boxes.overlay_id, visible=False)
    assert view.scene.highlighted == mask.overlay_id


def test_replacing_overlays_drops_stale_surfaces(view, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    volume = sphere_ct()
    first = MaskOverlay("nodule", volume.voxels > 0, volume.geometry)
    second = MaskOverlay("liver", volume.voxels > 0, volume.geometry)
    with qtbot.waitSignal(view.surfaces_ready, timeout=20_000):
        view.set_overlays([first])
        view.set_overlays([second])
    assert view.scene.overlay_ids == [second.overlay_id]
    assert view.scene.overlay_props(second.overlay_id).has_geometry
    view.clear()
    assert view.scene.overlay_ids == [] and view.scene.volume is None


def test_left_drag_rotates_and_r_resets(view, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    view.set_volume(sphere_ct())
    camera = view.scene.renderer.GetActiveCamera()
    start = np.array(camera.GetPosition())
    target = view.vtk_widget
    centre = QPointF(target.width() / 2, target.height() / 2)
    moved = QPointF(centre.x() + 80, centre.y())
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for kind, point, button, buttons in (
        (QEvent.Type.MouseButtonPress, centre, left, left),
        (QEvent.Type.MouseMove, moved, none, left),
        (QEvent.Type.MouseButtonRelease, moved, left, none),
    ):
        event = QMouseEvent(kind, point, point, button, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, event)
    assert np.linalg.norm(np.array(camera.GetPosition()) - start) > 1.0
    qtbot.keyClick(target, "r")
    np.testing.assert_allclose(camera.GetPosition(), start, atol=1e-3)


def test_while_the_model_runs_redraws_wait_and_one_full_render_follows(view, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    from vividmed_viewer.ui.views.render_pacing import render_pacer
    from vividmed_viewer.ui.views.volume_view import BUSY_UPDATE_RATE

    volume = sphere_ct()
    view.set_volume(volume)
    still = view.interactor.GetStillUpdateRate()
    before = window_pixels(view.render_window)
    view.set_model_running(True)
    assert view.render_window.GetDesiredUpdateRate() == BUSY_UPDATE_RATE
    region = np.zeros(volume.shape, dtype=np.uint8)
    region[30:44, 4:20, 30:44] = 1
    view.set_overlays([MaskOverlay("nodule", region, volume.geometry, colour=(0, 220, 0))])
    qtbot.waitUntil(lambda: not view.surfaces_pending, timeout=20_000)
    QApplication.processEvents()
    assert render_pacer().pending == 0  # the surface arrived; its render waits for the end
    view.set_model_running(False)
    assert view.render_window.GetDesiredUpdateRate() == pytest.approx(still)
    assert render_pacer().pending == 1  # the one full-quality render is due
    assert (before.max(axis=2) > 60).sum() > 200
