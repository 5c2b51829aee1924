"""SliceScene.set_overlays is incremental: shown overlays keep their actors, pixels stay right."""

from __future__ import annotations

import numpy as np
from slice_probe import SceneProbe, blank_volume

from vividmed_viewer.core import Box, BoxOverlay, ImageVolume, MaskOverlay
from vividmed_viewer.render.slice_scene import SliceScene

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def scene_of(volume: ImageVolume) -> tuple[SliceScene, SceneProbe]:
    scene = SliceScene("axial")
    scene.set_volume(volume)
    probe = SceneProbe(scene)
    scene.set_annotations_visible(False)
    scene.set_mask_display("fill")
    return scene, probe


def square_mask(volume: ImageVolume, rows: slice, columns: slice, colour: tuple[int, int, int]):  # type: ignore[no-untyped-def]
    region = np.zeros(volume.shape, np.uint8)
    region[:, rows, columns] = 1
    return MaskOverlay("organ", region, volume.geometry, colour=colour)


def props_of(scene: SliceScene) -> list[object]:
    collection = scene.renderer.GetViewProps()
    return [collection.GetItemAsObject(k) for k in range(collection.GetNumberOfItems())]


def test_unchanged_overlays_keep_their_actors_and_new_ones_are_added() -> None:
    volume = blank_volume()
    first = square_mask(volume, slice(2, 6), slice(2, 6), RED)
    second = square_mask(volume, slice(10, 14), slice(10, 14), BLUE)
    scene, probe = scene_of(volume)
    scene.set_overlays([first])
    first_actor = scene.overlays[first.overlay_id].actor
    scene.set_overlays([first, second])
    assert scene.overlays[first.overlay_id].actor is first_actor
    second_actor = scene.overlays[second.overlay_id].actor
    assert second_actor in props_of(scene)
    for overlay in (first, second):
        scene.set_overlay_style(overlay.overlay_id, opacity=1.0)
    frame = probe.frame()
    assert tuple(probe.pixel(frame, (4, 3, 3))) == RED
    assert tuple(probe.pixel(frame, (4, 12, 12))) == BLUE
    assert tuple(probe.pixel(frame, (4, 8, 8))) == (0, 0, 0)
    scene.set_overlays([second])  # the first is dropped: its actor leaves the renderer
    assert first_actor not in props_of(scene)
    assert scene.overlays[second.overlay_id].actor is second_actor
    frame = probe.frame()
    assert tuple(probe.pixel(frame, (4, 3, 3))) == (0, 0, 0)
    assert probe.pixel(frame, (4, 12, 12))[2] > 0  # blue again, at the default opacity


def test_kept_overlays_keep_their_style_when_more_regions_arrive() -> None:
    volume = blank_volume()
    mask = square_mask(volume, slice(2, 6), slice(2, 6), RED)
    later = square_mask(volume, slice(10, 14), slice(10, 14), RED)
    scene, probe = scene_of(volume)
    scene.set_overlays([mask])
    scene.set_overlay_style(mask.overlay_id, visible=False)
    assert not np.any(probe.pixel(probe.frame(), (4, 3, 3)))
    scene.set_overlays([mask, later])  # a streamed phrase adds a region
    assert not scene.overlay_style(mask.overlay_id).visible
    frame = probe.frame()
    assert not np.any(probe.pixel(frame, (4, 3, 3)))
    assert probe.pixel(frame, (4, 11, 11))[0] > 0
    styles = {mask.overlay_id: scene.overlay_style(mask.overlay_id).changed(visible=True)}
    scene.set_overlays([mask, later], styles)  # the session's styles win
    assert probe.pixel(probe.frame(), (4, 3, 3))[0] > 0


def test_the_highlight_ends_with_its_overlay() -> None:
    volume = blank_volume()
    mask = square_mask(volume, slice(2, 6), slice(2, 6), RED)
    other = square_mask(volume, slice(10, 14), slice(10, 14), RED)
    scene, _probe = scene_of(volume)
    scene.set_overlays([mask, other])
    scene.set_highlight(mask.overlay_id)
    scene.set_overlays([mask, other])
    assert scene.highlighted == mask.overlay_id
    scene.set_overlays([other])
    assert scene.highlighted is None


def test_a_new_object_under_a_shown_id_replaces_the_actor() -> None:
    volume = blank_volume()
    old = square_mask(volume, slice(2, 6), slice(2, 6), RED)
    new = square_mask(volume, slice(10, 14), slice(10, 14), RED)
    new.overlay_id = old.overlay_id
    scene, probe = scene_of(volume)
    scene.set_overlays([old])
    old_actor = scene.overlays[old.overlay_id].actor
    scene.set_overlays([new])
    assert scene.overlays[old.overlay_id].actor is not old_actor
    assert old_actor not in props_of(scene)
    frame = probe.frame()
    assert not np.any(probe.pixel(frame, (4, 3, 3)))
    assert probe.pixel(frame, (4, 12, 12))[0] > 0


def test_mask_actor_is_hidden_on_slices_without_its_region_and_cropped_elsewhere() -> None:
    volume = blank_volume()
    region = np.zeros(volume.shape, np.uint8)
    region[3:5, 6:9, 10:13] = 1
    mask = MaskOverlay("nodule", region, volume.geometry, colour=RED)
    box = BoxOverlay("mass", [Box((0, 1, 1), (7, 3, 3))], volume.geometry, colour=BLUE)
    scene, probe = scene_of(volume)
    scene.set_overlays([mask, box])
    scene.set_overlay_style(mask.overlay_id, opacity=1.0)
    actor = scene.overlays[mask.overlay_id].actor
    scene.set_slice(0)
    assert not actor.GetVisibility()
    scene.set_slice(4)
    assert actor.GetVisibility()
    width, height, _ = actor.GetMapper().GetInput().GetDimensions()
    assert (width, height) == (3, 3)  # only the region's bounding rectangle is drawn
    frame = probe.frame()
    for y in range(5, 10):
        for x in range(9, 14):
            expected = RED if region[4, y, x] else (0, 0, 0)
            assert tuple(probe.pixel(frame, (4, y, x))) == expected, (y, x)


def test_a_step_back_and_forth_redraws_only_what_changed() -> None:
    volume = blank_volume()
    region = np.zeros(volume.shape, np.uint8)
    region[:, 6:9, 10:13] = 1
    mask = MaskOverlay("organ", region, volume.geometry, colour=RED)
    scene, _ = scene_of(volume)
    scene.set_overlays([mask])
    item = scene.overlays[mask.overlay_id]
    data = item.actor.GetMapper().GetInput()
    scene.set_overlay_style(mask.overlay_id)  # nothing changes: nothing is rebuilt
    assert item.actor.GetMapper().GetInput() is data
    scene.set_slice(scene.slice_index + 1)
    assert item.actor.GetMapper().GetInput() is not data
