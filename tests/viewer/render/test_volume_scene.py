"""VolumeScene rendered offscreen and read back as pixels: placement, presets, overlays, camera."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import vtk
from numpy.typing import NDArray

from vividmed_viewer.core import (
    Box,
    BoxOverlay,
    ImageVolume,
    MaskOverlay,
    RenderError,
    ValidationError,
)
from vividmed_viewer.render.volume_render_mode import is_software_opengl, opengl_renderer_name
from vividmed_viewer.render.volume_scene import VolumeScene
from vividmed_viewer.render.volume_snapshot import OffscreenVolumeWindow

SIZE = 64


def sphere_ct(
    centre: tuple[float, float, float] = (32, 32, 32), radius: float = 9.0, lungs: bool = False
) -> ImageVolume:
    """64³ CT: air, a soft-tissue body cylinder, optional lung blobs, a bone sphere at ``centre``."""
    z, y, x = np.mgrid[:SIZE, :SIZE, :SIZE]
    voxels = np.full((SIZE, SIZE, SIZE), -1000, dtype=np.int16)
    voxels[((x - 32) / 28.0) ** 2 + ((y - 32) / 24.0) ** 2 < 1] = 40
    if lungs:
        for lung_x in (18, 46):
            voxels[
                ((x - lung_x) / 8.0) ** 2 + ((y - 30) / 12.0) ** 2 + ((z - 32) / 20.0) ** 2 < 1
            ] = -850
    sphere = (z - centre[0]) ** 2 + (y - centre[1]) ** 2 + (x - centre[2]) ** 2 < radius**2
    voxels[sphere] = 1200
    voxels += np.random.default_rng(0).normal(0, 20, voxels.shape).astype(np.int16)
    return ImageVolume(voxels, spacing=(1.0, 1.0, 1.0), modality="CT")


def bright_mask(pixels: NDArray[np.uint8], threshold: int = 60) -> NDArray[np.bool_]:
    return np.asarray(pixels.max(axis=2) > threshold)


def centroid(mask: NDArray[np.bool_]) -> tuple[float, float]:
    """(row, column) of the True pixels, as fractions of the image height and width."""
    rows, columns = np.nonzero(mask)
    return rows.mean() / mask.shape[0], columns.mean() / mask.shape[1]


def colour_pixels(
    pixels: NDArray[np.uint8], colour: tuple[int, int, int], tolerance: int = 12
) -> int:
    difference = np.abs(pixels.astype(int) - np.asarray(colour)[None, None, :]).max(axis=2)
    return int(np.count_nonzero(difference <= tolerance))


@pytest.fixture()
def offscreen() -> Iterator[OffscreenVolumeWindow]:
    window = OffscreenVolumeWindow(VolumeScene(), (200, 200))
    yield window
    window.close()


def render(window: OffscreenVolumeWindow) -> NDArray[np.uint8]:
    window.render()
    return window.pixels()


def test_bone_sphere_renders_in_the_centre_with_cpu_ray_casting(
    offscreen: OffscreenVolumeWindow,
) -> None:
    offscreen.scene.set_volume(sphere_ct())
    pixels = render(offscreen)
    assert offscreen.scene.preset_name == "CT bone"
    bright = bright_mask(pixels)
    assert 300 < bright.sum() < 0.5 * bright.size
    row, column = centroid(bright)
    assert abs(row - 0.5) < 0.05 and abs(column - 0.5) < 0.05
    name = opengl_renderer_name(offscreen.window)
    assert name is not None
    if is_software_opengl(name):
        assert offscreen.scene.resolved_render_mode == "cpu"
        assert (
            offscreen.scene.mapper.GetLastUsedRenderMode()
            == vtk.vtkSmartVolumeMapper.RayCastRenderMode
        )


def test_anterior_view_puts_patient_left_on_screen_right_and_head_up(
    offscreen: OffscreenVolumeWindow,
) -> None:
    # High x index = patient left (L); high z index = superior (S).
    offscreen.scene.set_volume(sphere_ct(centre=(46, 32, 48), radius=7))
    row, column = centroid(bright_mask(render(offscreen)))
    assert column > 0.58 and row < 0.42
    offscreen.scene.rotate(180.0)  # posterior view: patient left on screen left
    row, column = centroid(bright_mask(render(offscreen)))
    assert column < 0.42 and row < 0.42
    offscreen.scene.reset_camera()
    row, column = centroid(bright_mask(render(offscreen)))
    assert column > 0.58


def test_presets_change_the_image(offscreen: OffscreenVolumeWindow) -> None:
    offscreen.scene.set_volume(sphere_ct(lungs=True))
    images = {}
    for name in ("CT bone", "CT soft tissue", "CT lung"):
        offscreen.scene.set_preset(name)
        images[name] = render(offscreen).astype(int)
    assert np.abs(images["CT bone"] - images["CT soft tissue"]).mean() > 5
    assert np.abs(images["CT bone"] - images["CT lung"]).mean() > 2
    assert np.abs(images["CT lung"] - images["CT soft tissue"]).mean() > 5


def test_unknown_preset_is_refused_with_the_known_names(offscreen: OffscreenVolumeWindow) -> None:
    with pytest.raises(RenderError, match=r"unknown volume preset 'CT brain'.*CT bone"):
        offscreen.scene.set_preset("CT brain")


def test_mr_volume_uses_the_relative_preset() -> None:
    z, y, x = np.mgrid[:32, :32, :32]
    voxels = (300.0 * np.exp(-((z - 16) ** 2 + (y - 16) ** 2 + (x - 16) ** 2) / 60.0)).astype(
        np.float32
    )
    window = OffscreenVolumeWindow(VolumeScene(), (160, 160))
    window.scene.set_volume(ImageVolume(voxels, modality="MR"))
    assert window.scene.preset_name == "MR"
    row, column = centroid(bright_mask(render(window), 40))
    window.close()
    assert abs(row - 0.5) < 0.05 and abs(column - 0.5) < 0.05


def test_volume_bounds_follow_origin_spacing_and_direction(
    offscreen: OffscreenVolumeWindow,
) -> None:
    # Rows run posterior→anterior here (y axis flipped) and the origin is shifted.
    direction = np.array([[0.0, 0.0, 1.0], [0.0, -1.0, 0.0], [1.0, 0.0, 0.0]])
    voxels = sphere_ct().voxels[:, :, :40]
    volume = ImageVolume(
        voxels, spacing=(2.0, 0.5, 0.75), origin=(-10.0, 50.0, 100.0), direction=direction
    )
    offscreen.scene.set_volume(volume)
    corners = volume.index_to_patient(
        [[z, y, x] for z in (0, 63) for y in (0, 63) for x in (0, 39)]
    )
    expected = np.ravel(np.column_stack([corners.min(axis=0), corners.max(axis=0)]))
    np.testing.assert_allclose(offscreen.scene.volume_prop.GetBounds(), expected, atol=1e-6)


def test_large_volume_is_rendered_downsampled_in_the_same_place() -> None:
    scene = VolumeScene(max_render_voxels=40_000)
    window = OffscreenVolumeWindow(scene, (160, 160))
    scene.set_volume(sphere_ct())
    assert scene.downsample_factor == 2
    assert scene.volume_prop.GetBounds()[0] == pytest.approx(0.0)
    assert scene.volume_prop.GetBounds()[1] == pytest.approx(62.0)
    row, column = centroid(bright_mask(render(window)))
    window.close()
    assert abs(row - 0.5) < 0.06 and abs(column - 0.5) < 0.06


def test_box_wireframe_draws_in_its_colour_and_highlight_thickens_it(
    offscreen: OffscreenVolumeWindow,
) -> None:
    volume = sphere_ct()
    magenta = (255, 0, 255)
    boxes = BoxOverlay("nodule", [Box((10, 10, 8), (24, 24, 20))], volume.geometry, colour=magenta)
    offscreen.scene.set_volume(volume, preset="CT bone")
    offscreen.scene.set_overlays([boxes])
    plain = render(offscreen)
    drawn = colour_pixels(plain, magenta)
    assert drawn > 100
    rows, columns = np.nonzero(np.abs(plain.astype(int) - np.asarray(magenta)).max(axis=2) <= 12)
    # Box sits at the patient's right (low x → screen left) and inferior (low z → screen bottom).
    assert columns.mean() < 100 and rows.mean() > 100

    offscreen.scene.highlight(boxes.overlay_id)
    highlighted = render(offscreen)
    brighter = (255, 115, 255)
    assert colour_pixels(highlighted, brighter) > 1.5 * drawn
    offscreen.scene.highlight(None)
    offscreen.scene.set_overlay_style(boxes.overlay_id, colour=(0, 255, 255))
    recoloured = render(offscreen)
    assert (
        colour_pixels(recoloured, (0, 255, 255)) > 100 and colour_pixels(recoloured, magenta) == 0
    )
    offscreen.scene.set_overlay_style(boxes.overlay_id, visible=False)
    assert colour_pixels(render(offscreen), (0, 255, 255)) == 0


def test_mask_surface_shows_in_its_colour_without_a_volume(
    offscreen: OffscreenVolumeWindow,
) -> None:
    volume = sphere_ct()
    mask = MaskOverlay("liver", volume.voxels > 500, volume.geometry, colour=(0, 200, 0))
    offscreen.scene.set_overlays([mask])
    offscreen.scene.reset_camera()
    pixels = render(offscreen).astype(int)
    green = (
        (pixels[..., 1] > 60)
        & (pixels[..., 1] > 2 * pixels[..., 0])
        & (pixels[..., 1] > 2 * pixels[..., 2])
    )
    assert green.sum() > 500
    row, column = centroid(green)
    assert abs(row - 0.5) < 0.05 and abs(column - 0.5) < 0.05
    offscreen.scene.set_overlay_style(mask.overlay_id, opacity=0.0)
    faded = render(offscreen).astype(int)
    assert (faded[..., 1] > 60).sum() == 0


def test_overlay_errors_name_the_problem(offscreen: OffscreenVolumeWindow) -> None:
    volume = sphere_ct()
    boxes = BoxOverlay("nodule", [Box((1, 1, 1), (3, 3, 3))], volume.geometry)
    offscreen.scene.set_overlays([boxes])
    with pytest.raises(RenderError, match="no overlay with id 'missing'"):
        offscreen.scene.set_overlay_style("missing", visible=False)
    with pytest.raises(RenderError, match="no overlay with id 'missing'"):
        offscreen.scene.highlight("missing")
    with pytest.raises(ValidationError, match=r"opacity must be within 0\.\.1, got 1\.5"):
        offscreen.scene.set_overlay_style(boxes.overlay_id, opacity=1.5)
    with pytest.raises(RenderError, match="is a box overlay, not a mask"):
        offscreen.scene.add_mask_surface(boxes.overlay_id, vtk.vtkPolyData())


def test_clear_leaves_an_empty_black_view(offscreen: OffscreenVolumeWindow) -> None:
    volume = sphere_ct()
    offscreen.scene.set_volume(volume)
    offscreen.scene.set_overlays(
        [BoxOverlay("nodule", [Box((1, 1, 1), (9, 9, 9))], volume.geometry)]
    )
    assert bright_mask(render(offscreen)).sum() > 0
    offscreen.scene.clear()
    assert offscreen.scene.volume is None and offscreen.scene.overlay_ids == []
    assert render(offscreen).max() == 0
