"""SliceScene rendered offscreen and read back as pixels: contrast, orientation, overlays."""

from __future__ import annotations

import numpy as np
import pytest
from slice_probe import SceneProbe, blank_volume, bright_bbox

from vividmed_viewer.core import (
    Box,
    BoxOverlay,
    GridGeometry,
    ImageVolume,
    MaskOverlay,
    ValidationError,
    WindowLevel,
)
from vividmed_viewer.render.slice_scene import SliceScene

RED = (255, 0, 0)


def scene_of(volume: ImageVolume, orientation: str = "axial") -> tuple[SliceScene, SceneProbe]:
    scene = SliceScene(orientation)
    scene.set_volume(volume)
    probe = SceneProbe(scene)
    scene.set_annotations_visible(False)
    return scene, probe


def test_window_level_sets_the_grey_of_each_value() -> None:
    values = np.repeat(np.repeat(np.arange(-200, 200, 50, dtype=np.int16)[None, :], 4, 0), 4, 1)
    volume = ImageVolume(values[None], modality="CT", window=WindowLevel(0.0, 400.0))
    scene, probe = scene_of(volume)
    for window in (WindowLevel(0.0, 400.0), WindowLevel(-50.0, 100.0)):
        scene.set_window(window)
        frame = probe.frame()
        for column in range(0, values.shape[1], 4):
            expected = window.apply(np.array([values[0, column]]))[0] * 255
            grey = probe.pixel(frame, (0, 1, column + 1))
            assert abs(int(grey[0]) - expected) <= 2, (window, values[0, column], grey)
            assert grey[0] == grey[1] == grey[2]
    scene.set_invert(True)
    inverted = probe.frame()
    grey = probe.pixel(inverted, (0, 1, 1))  # value -200 is below the window: white inverted
    assert tuple(grey) == (255, 255, 255)


@pytest.mark.parametrize("orientation", ["axial", "coronal"])
def test_patient_left_is_on_the_screen_right(orientation: str) -> None:
    volume = blank_volume()
    volume.voxels[:, :, -3:] = 1000  # high x = patient left (x → L)
    scene, probe = scene_of(volume, orientation)
    frame = probe.frame()
    _, column0, _, _ = bright_bbox(frame)
    assert column0 > frame.shape[1] / 2
    assert scene.letters.text("right") == "L" and scene.letters.text("left") == "R"


def test_direction_decides_the_side_not_the_array_order() -> None:
    direction = np.array([[0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # x → R
    volume = blank_volume(direction=direction)
    volume.voxels[:, :, :3] = 1000  # low x = patient left now
    _, probe = scene_of(volume, "axial")
    frame = probe.frame()
    assert bright_bbox(frame)[1] > frame.shape[1] / 2


def test_anterior_up_on_axial_superior_up_on_coronal_and_sagittal() -> None:
    volume = blank_volume()
    volume.voxels[:, :3, :] = 1000  # low y = anterior
    _, axial = scene_of(volume, "axial")
    frame = axial.frame()
    assert bright_bbox(frame)[2] < frame.shape[0] / 2
    top = blank_volume()
    top.voxels[-2:] = 1000  # high z = superior
    for orientation in ("coronal", "sagittal"):
        scene, probe = scene_of(top, orientation)
        frame = probe.frame()
        assert bright_bbox(frame)[2] < frame.shape[0] / 2
        assert scene.letters.text("top") == "S"
    sagittal, probe = scene_of(volume, "sagittal")
    frame = probe.frame()
    assert bright_bbox(frame)[3] < frame.shape[1] / 2  # anterior on the left
    assert sagittal.letters.text("left") == "A"


def test_anisotropic_spacing_keeps_the_physical_aspect() -> None:
    volume = ImageVolume(
        np.full((10, 20, 40), 1000, np.int16), spacing=(1.0, 2.0, 1.0), window=WindowLevel(0, 10)
    )
    _, probe = scene_of(volume, "axial")
    row0, column0, row1, column1 = bright_bbox(probe.frame())
    assert abs((row1 - row0) - (column1 - column0)) <= 2  # 40 mm × 40 mm


def test_mask_fill_colours_exactly_its_region() -> None:
    volume = blank_volume()
    region = np.zeros(volume.shape, np.uint8)
    region[4:8, 5:12, 6:15] = 1
    region[5, 6, 9] = 0  # a hole
    mask = MaskOverlay("lesion", region, volume.geometry, colour=RED)
    scene, probe = scene_of(volume)
    scene.set_overlays([mask])
    scene.set_overlay_style(mask.overlay_id, opacity=1.0)
    scene.set_mask_display("fill")
    scene.set_slice(5)
    frame = probe.frame()
    for y in range(volume.shape[1]):
        for x in range(volume.shape[2]):
            expected = RED if region[5, y, x] else (0, 0, 0)
            assert tuple(probe.pixel(frame, (5, y, x))) == expected, (y, x)
    red = np.all(frame == RED, axis=-1)
    pixels_per_voxel = 1.0 / scene.mm_per_pixel() ** 2
    expected_area = (region[5].sum()) * pixels_per_voxel
    edge = 2 * (7 + 9) * 1.0 / scene.mm_per_pixel()
    assert abs(red.sum() - expected_area) <= edge  # within one pixel of the edge


def test_outline_mode_colours_the_edge_only_and_style_hides() -> None:
    volume = blank_volume()
    region = np.zeros(volume.shape, np.uint8)
    region[:, 5:12, 6:15] = 1
    mask = MaskOverlay("organ", region, volume.geometry, colour=RED)
    scene, probe = scene_of(volume)
    scene.set_overlays([mask])
    scene.set_mask_display("outline")
    frame = probe.frame()
    assert tuple(probe.pixel(frame, (6, 5, 10))) == RED
    assert tuple(probe.pixel(frame, (6, 8, 10))) == (0, 0, 0)
    scene.set_overlay_style(mask.overlay_id, visible=False)
    assert not np.any(probe.frame())


def test_highlight_draws_brighter() -> None:
    volume = blank_volume()
    region = np.zeros(volume.shape, np.uint8)
    region[:, 5:12, 6:15] = 1
    mask = MaskOverlay("organ", region, volume.geometry, colour=(200, 0, 0))
    scene, probe = scene_of(volume)
    scene.set_overlays([mask])
    before = probe.pixel(probe.frame(), (6, 8, 10)).astype(int)
    scene.set_highlight(mask.overlay_id)
    after = probe.pixel(probe.frame(), (6, 8, 10)).astype(int)
    assert after.sum() > before.sum() + 30
    with pytest.raises(ValidationError, match="no overlay 'nope' in the axial view"):
        scene.set_highlight("nope")


def test_box_is_drawn_on_the_slices_it_crosses_only() -> None:
    volume = blank_volume()
    boxes = BoxOverlay("nodule", [Box((3, 4, 5), (5, 10, 12))], volume.geometry, colour=RED)
    scene, probe = scene_of(volume)
    scene.set_overlays([boxes])
    for index, drawn in ((2, False), (3, True), (5, True), (6, False), (9, False)):
        scene.set_slice(index)
        frame = probe.frame()
        assert bool(np.any(frame[..., 0] > 128)) == drawn, index
    scene.set_slice(4)
    frame = probe.frame()
    column, row = probe.screen_xy((4, 4, 8))
    edge_row = row - round(0.5 / scene.mm_per_pixel())  # the box edge is half a voxel out
    assert np.any(frame[edge_row - 2 : edge_row + 3, column, 0] > 128)
    assert frame[probe.screen_xy((4, 7, 8))[1], probe.screen_xy((4, 7, 8))[0], 0] == 0


def test_overlay_on_another_grid_is_resampled_nearest() -> None:
    volume = blank_volume(shape=(4, 20, 20), spacing=(1.0, 1.0, 1.0))
    coarse = GridGeometry((2, 10, 10), spacing=(2.0, 2.0, 2.0), origin=(0.5, 0.5, 0.5))
    labels = np.zeros(coarse.shape, np.uint8)
    labels[:, 2:4, 2:4] = 1  # image voxels 4..7 along y and x
    mask = MaskOverlay("coarse", labels, coarse, colour=RED)
    scene, probe = scene_of(volume)
    scene.set_overlays([mask])
    scene.set_overlay_style(mask.overlay_id, opacity=1.0)
    frame = probe.frame()
    assert tuple(probe.pixel(frame, (2, 5, 5))) == RED
    assert tuple(probe.pixel(frame, (2, 9, 9))) == (0, 0, 0)


def test_display_to_voxel_round_trips_after_zoom_and_pan() -> None:
    volume = blank_volume()
    for orientation in ("axial", "coronal", "sagittal"):
        scene, probe = scene_of(volume, orientation)
        scene.zoom(1.7)
        scene.pan(3.0, -2.0)
        probe.frame()
        for index in ((6, 0, 0), (6, 19, 23), (6, 7, 11)):
            wanted = list(index)
            wanted[scene.axes.slice_axis] = scene.slice_index  # type: ignore[union-attr]
            display = scene.index_to_display(tuple(wanted))
            if not (0 <= display[0] < 200 and 0 <= display[1] < 160):
                continue
            assert scene.display_to_index(*display) == tuple(wanted)
            patient = scene.display_to_patient(*display)
            assert patient is not None
            assert np.allclose(patient, volume.index_to_patient(wanted))
        assert scene.display_to_index(-500, -500) is None


def test_center_on_goes_to_the_slice_through_the_point() -> None:
    volume = blank_volume()
    scene, _ = scene_of(volume, "coronal")
    point = volume.index_to_patient((3, 14, 5))
    scene.center_on(point)
    assert scene.slice_index == 14
    assert scene.slice_count == 20
    assert scene.set_slice(99) == 19


def test_errors_name_the_bad_value() -> None:
    with pytest.raises(ValidationError, match="unknown view orientation 'oblique'"):
        SliceScene("oblique")
    scene = SliceScene("axial")
    with pytest.raises(ValidationError, match="unknown mask display 'dots'"):
        scene.set_mask_display("dots")
    with pytest.raises(ValidationError, match=r"opacity must be within 0\.\.1"):
        scene.set_overlays(
            [MaskOverlay("m", np.ones((1, 2, 2), np.uint8), GridGeometry((1, 2, 2)))]
        )
        scene.set_overlay_style(next(iter(scene.overlays)), opacity=1.5)
