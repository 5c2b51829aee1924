"""Measurements rendered offscreen and read back: on their slice only, with their values."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from slice_probe import SceneProbe, blank_volume

from vividmed_viewer.core import ImageVolume
from vividmed_viewer.core.measurements import Measurement, MeasurementKind
from vividmed_viewer.render.offscreen import OffscreenLayout
from vividmed_viewer.render.slice_measurements import MEASUREMENT_COLOUR, SliceMeasurementLayer
from vividmed_viewer.render.slice_scene import SliceScene
from vividmed_viewer.render.volume_measurements import VolumeMeasurementLayer
from vividmed_viewer.render.volume_scene import VolumeScene

GREEN = tuple(round(255 * c) for c in MEASUREMENT_COLOUR)


def is_measurement_colour(pixel: NDArray[np.uint8], tolerance: int = 40) -> bool:
    return bool(np.abs(pixel.astype(int) - np.asarray(GREEN)).max() <= tolerance)


def colour_count(frame: NDArray[np.uint8], tolerance: int = 40) -> int:
    difference = np.abs(frame.astype(int) - np.asarray(GREEN)[None, None, :]).max(axis=2)
    return int(np.count_nonzero(difference <= tolerance))


def layer_of(
    volume: ImageVolume, orientation: str = "axial"
) -> tuple[SliceScene, SceneProbe, SliceMeasurementLayer]:
    scene = SliceScene(orientation)
    scene.set_volume(volume)
    probe = SceneProbe(scene)
    scene.set_annotations_visible(False)
    return scene, probe, SliceMeasurementLayer(scene)


def test_a_length_is_drawn_where_its_points_are_on_its_slice_only() -> None:
    volume = blank_volume()  # (12, 20, 24) zeros shown black, spacing (2, 1, 1) mm
    scene, probe, layer = layer_of(volume)
    line = Measurement(MeasurementKind.LENGTH, ((6, 10, 4), (6, 10, 18)), slice_axis=0)
    layer.set_measurements(volume, [line])
    scene.set_slice(6)
    frame = probe.frame()
    for x in (6, 11, 16):  # along the line, away from the end dots and the label
        assert is_measurement_colour(probe.pixel(frame, (6, 10, x))), x
    assert not is_measurement_colour(probe.pixel(frame, (6, 4, 11)))  # rows away: black
    assert layer.items[line.measurement_id].label.GetInput() == "14.0 mm"
    assert layer.visible_ids() == [line.measurement_id]
    scene.set_slice(5)  # another slice: nothing drawn
    assert colour_count(probe.frame()) == 0 and layer.visible_ids() == []


def test_rois_follow_the_view_and_only_views_of_their_plane_show_them() -> None:
    volume = blank_volume()
    axial, axial_probe, axial_layer = layer_of(volume, "axial")
    coronal, coronal_probe, coronal_layer = layer_of(volume, "coronal")
    box = Measurement(MeasurementKind.RECTANGLE, ((3, 4, 5), (3, 14, 19)), slice_axis=0)
    for layer in (axial_layer, coronal_layer):
        layer.set_measurements(volume, [box])
    axial.set_slice(3)
    coronal.set_slice(9)  # a coronal slice through the box's rows: still not its plane
    frame = axial_probe.frame()
    assert is_measurement_colour(axial_probe.pixel(frame, (3, 4, 12)))  # top edge
    assert is_measurement_colour(axial_probe.pixel(frame, (3, 9, 5)))  # left edge
    assert not is_measurement_colour(axial_probe.pixel(frame, (3, 9, 12)))  # inside: unfilled
    assert colour_count(coronal_probe.frame()) == 0
    axial.zoom(1.4)  # the outline moves with the image
    axial.pan(2.0, -1.0)
    frame = axial_probe.frame()
    for edge in ((3, 4, 12), (3, 9, 5), (3, 14, 12)):
        column, row = axial_probe.screen_xy(edge)
        assert 0 <= column < frame.shape[1] and 0 <= row < frame.shape[0]
        assert is_measurement_colour(frame[row, column]), edge


def test_a_draft_stands_in_for_the_measurement_it_edits() -> None:
    volume = blank_volume()
    scene, probe, layer = layer_of(volume)
    scene.set_slice(2)
    line = Measurement(MeasurementKind.LENGTH, ((2, 5, 4), (2, 5, 18)), slice_axis=0)
    layer.set_measurements(volume, [line])
    layer.set_draft(line.moved(((2, 15, 4), (2, 15, 18))))
    frame = probe.frame()
    assert not is_measurement_colour(probe.pixel(frame, (2, 5, 11)))  # the old line is hidden
    assert probe.pixel(frame, (2, 15, 11))[1] > 200  # the draft (drawn highlighted)
    layer.set_draft(None)
    assert is_measurement_colour(probe.pixel(probe.frame(), (2, 5, 11)))
    layer.set_measurements(None, [])
    assert colour_count(probe.frame()) == 0 and not layer.items


def test_the_3d_view_draws_measurements_in_patient_space() -> None:
    voxels = np.full((24, 24, 24), -1000, dtype=np.int16)
    volume = ImageVolume(voxels, spacing=(1.0, 1.0, 1.0), modality="CT")
    scene = VolumeScene(render_mode="cpu")
    scene.set_volume(volume)
    layer = VolumeMeasurementLayer(scene)
    window = OffscreenLayout([scene.renderer], "3d", (160, 160))
    assert colour_count(window.render()) == 0
    line = Measurement(MeasurementKind.LENGTH, ((12, 4, 4), (12, 20, 20)), slice_axis=0)
    circle = Measurement(MeasurementKind.ELLIPSE, ((6, 6, 6), (6, 18, 18)), slice_axis=0)
    layer.set_measurements(volume, [line, circle])
    assert colour_count(window.render()) > 30
    assert layer.items[line.measurement_id].label.GetInput() == "22.6 mm"
    props = [prop for item in layer.items.values() for prop in item.props()]
    other = ImageVolume(voxels.copy(), modality="CT")
    scene.set_volume(other)  # the scene moved on to another image: its measurements go
    assert colour_count(window.render()) == 0
    layer.set_measurements(other, [])
    assert not layer.items and not any(scene.renderer.HasViewProp(p) for p in props)


def test_a_radiograph_without_spacing_measures_in_pixels() -> None:
    radiograph = ImageVolume(np.zeros((30, 40), dtype=np.uint8), modality="CR", spacing_known=False)
    _, probe, layer = layer_of(radiograph)
    line = Measurement(MeasurementKind.LENGTH, ((0, 5, 5), (0, 5, 33)))
    box = Measurement(MeasurementKind.RECTANGLE, ((0, 12, 8), (0, 24, 20)))
    layer.set_measurements(radiograph, [line, box])
    frame = probe.frame()
    assert is_measurement_colour(probe.pixel(frame, (0, 5, 19)))
    assert is_measurement_colour(probe.pixel(frame, (0, 18, 8)))
    assert layer.items[line.measurement_id].label.GetInput() == "28.0 px"
    assert layer.items[box.measurement_id].label.GetInput().endswith("Area 144.0 px²")
