"""The 3D scene and view keep shown overlays (props, surfaces, builds) across set_overlays calls."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import Box, BoxOverlay, ImageVolume, MaskOverlay
from vividmed_viewer.render.volume_scene import VolumeScene
from vividmed_viewer.render.volume_snapshot import OffscreenVolumeWindow

MAGENTA = (255, 0, 255)


def small_ct() -> ImageVolume:
    voxels = np.full((32, 32, 32), -1000, dtype=np.int16)
    voxels[12:20, 12:20, 12:20] = 1200
    return ImageVolume(voxels, modality="CT")


def cube_mask(volume: ImageVolume, start: int, target: str) -> MaskOverlay:
    region = np.zeros(volume.shape, np.uint8)
    region[start : start + 6, start : start + 6, start : start + 6] = 1
    return MaskOverlay(target, region, volume.geometry, colour=(0, 220, 0))


def magenta_pixels(pixels: np.ndarray) -> int:
    difference = np.abs(pixels.astype(int) - np.asarray(MAGENTA)[None, None, :]).max(axis=2)
    return int(np.count_nonzero(difference <= 40))


def scene_props(scene: VolumeScene) -> list[object]:
    collection = scene.renderer.GetViewProps()
    return [collection.GetItemAsObject(k) for k in range(collection.GetNumberOfItems())]


def test_scene_keeps_shown_overlays_and_reports_whether_the_picture_changed() -> None:
    volume = small_ct()
    mask = cube_mask(volume, 4, "nodule")
    box = BoxOverlay("mass", [Box((20, 20, 20), (28, 28, 28))], volume.geometry, colour=MAGENTA)
    scene = VolumeScene()
    window = OffscreenVolumeWindow(scene, (160, 160))
    try:
        assert scene.set_overlays([mask])
        surface_actor = scene.overlay_props(mask.overlay_id).actors[0]
        assert scene.set_overlays([mask, box])  # a new box: the picture changes
        assert scene.overlay_props(mask.overlay_id).actors[0] is surface_actor
        box_actor = scene.overlay_props(box.overlay_id).actors[0]
        scene.reset_camera()
        window.render()
        assert magenta_pixels(window.pixels()) > 20
        assert not scene.set_overlays([mask, box])  # nothing new: no render needed
        assert scene.overlay_props(box.overlay_id).actors[0] is box_actor
        scene.set_overlay_style(box.overlay_id, visible=False)
        assert not scene.set_overlays([mask, box])  # a style chosen is kept
        assert not scene.overlay_props(box.overlay_id).style.visible
        shown_again = {
            box.overlay_id: scene.overlay_props(box.overlay_id).style.changed(visible=True)
        }
        assert scene.set_overlays([mask, box], shown_again)  # the session's style: shown again
        assert scene.overlay_props(box.overlay_id).style.visible
        assert scene.set_overlays([mask])
        assert box_actor not in scene_props(scene)
        window.render()
        assert magenta_pixels(window.pixels()) == 0
        late = cube_mask(volume, 10, "late")
        assert not scene.set_overlays([mask, late], build_surfaces=False)  # waits for a surface
    finally:
        window.close()


@pytest.fixture()
def view(qtbot: QtBot) -> Iterator[object]:
    if QGuiApplication.platformName() != "xcb":
        pytest.skip("QVTKRenderWindowInteractor renders only on a real X server (xvfb + xcb)")
    from vividmed_viewer.ui.views.volume_view import VolumeView

    widget = VolumeView()
    widget.resize(240, 240)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()


def test_view_builds_surfaces_of_new_masks_only(view, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    volume = small_ct()
    view.set_volume(volume)
    first = cube_mask(volume, 2, "first")
    second = cube_mask(volume, 20, "second")
    with qtbot.waitSignal(view.surfaces_ready, timeout=20_000):
        view.set_overlays([first])
    first_actor = view.scene.overlay_props(first.overlay_id).actors[0]
    with qtbot.waitSignal(view.surfaces_ready, timeout=20_000):
        view.set_overlays([first, second])
        assert view._pending == {second.overlay_id}  # the first mask's surface is kept
    assert view.scene.overlay_props(first.overlay_id).actors[0] is first_actor
    assert view.scene.overlay_props(second.overlay_id).has_geometry
    third = cube_mask(volume, 10, "third")
    with qtbot.waitSignal(view.surfaces_ready, timeout=20_000):
        view.set_overlays([first, third])
        view.set_overlays([first])  # the third's build is dropped before it lands
    assert view.scene.overlay_ids == [first.overlay_id]
    assert not view.surfaces_pending
