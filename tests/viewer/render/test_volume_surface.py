"""Mask surfaces: size and position in patient space, labels, budgets, and worker threads."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from vividmed_viewer.core import GridGeometry, MaskOverlay, RenderError
from vividmed_viewer.render.mask_surface import build_mask_surface, surface_volume_and_area

RADIUS_MM = 12.0
SPACING = (1.5, 0.8, 1.0)  # anisotropic (z, y, x) mm
# Rows run anterior→posterior, columns left→right (x flipped), with a shifted origin.
DIRECTION = np.array([[0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
ORIGIN = (120.0, -40.0, -300.0)


def sphere_overlay(centre_mm: tuple[float, float, float] = (30.0, 28.0, 25.0)) -> MaskOverlay:
    """A ball of RADIUS_MM around ``centre_mm`` (z, y, x mm from voxel 0) on an anisotropic grid."""
    geometry = GridGeometry((40, 70, 60), SPACING, ORIGIN, DIRECTION)
    z, y, x = np.meshgrid(
        *(np.arange(n) * s for n, s in zip(geometry.shape, SPACING, strict=True)), indexing="ij"
    )
    inside = (z - centre_mm[0]) ** 2 + (y - centre_mm[1]) ** 2 + (
        x - centre_mm[2]
    ) ** 2 <= RADIUS_MM**2
    return MaskOverlay("nodule", inside.astype(np.uint8), geometry, colour=(0, 200, 0))


def test_sphere_surface_has_the_ball_volume_and_area() -> None:
    surface = build_mask_surface(sphere_overlay())
    volume, area = surface_volume_and_area(surface)
    assert volume == pytest.approx(4.0 / 3.0 * math.pi * RADIUS_MM**3, rel=0.04)
    assert area == pytest.approx(4.0 * math.pi * RADIUS_MM**2, rel=0.05)


def test_sphere_surface_sits_at_its_patient_coordinates() -> None:
    overlay = sphere_overlay()
    surface = build_mask_surface(overlay)
    centre_index = np.array([30.0 / SPACING[0], 28.0 / SPACING[1], 25.0 / SPACING[2]])
    centre = overlay.geometry.index_to_patient(centre_index)
    bounds = np.asarray(surface.GetBounds()).reshape(3, 2)
    np.testing.assert_allclose(bounds.mean(axis=1), centre, atol=0.8)
    np.testing.assert_allclose(bounds[:, 1] - bounds[:, 0], 2 * RADIUS_MM, atol=1.6)
    # The flipped x axis points to the patient's right: column index grows towards −L.
    assert centre[0] == pytest.approx(ORIGIN[0] - 25.0)
    assert centre[2] == pytest.approx(ORIGIN[2] + 30.0)


def test_one_label_of_a_label_map() -> None:
    overlay = sphere_overlay()
    labels = overlay.label_map.copy()
    labels[:, :, 40:] = 0
    labels[5:12, 5:12, 45:55] = 2
    two = MaskOverlay("lungs", labels, overlay.geometry)
    only_two = build_mask_surface(two, label=2)
    volume, _ = surface_volume_and_area(only_two)
    assert volume == pytest.approx(7 * 7 * 10 * np.prod(SPACING), rel=0.15)
    all_labels = surface_volume_and_area(build_mask_surface(two))[0]
    assert all_labels > volume * 5


def test_empty_region_gives_an_empty_surface() -> None:
    overlay = sphere_overlay()
    empty = MaskOverlay("liver", np.zeros_like(overlay.label_map), overlay.geometry)
    assert build_mask_surface(empty).GetNumberOfPoints() == 0
    assert build_mask_surface(overlay, label=7).GetNumberOfPoints() == 0
    assert surface_volume_and_area(build_mask_surface(empty)) == (0.0, 0.0)


def test_non_positive_label_is_refused() -> None:
    with pytest.raises(RenderError, match="mask label must be a positive integer, got 0"):
        build_mask_surface(sphere_overlay(), label=0)


def test_triangle_budget_and_voxel_budget_keep_the_shape() -> None:
    overlay = sphere_overlay()
    expected = 4.0 / 3.0 * math.pi * RADIUS_MM**3
    decimated = build_mask_surface(overlay, target_triangles=800)
    assert decimated.GetNumberOfPolys() <= 1000
    assert surface_volume_and_area(decimated)[0] == pytest.approx(expected, rel=0.08)
    coarse = build_mask_surface(overlay, max_voxels=2_000)
    assert surface_volume_and_area(coarse)[0] == pytest.approx(expected, rel=0.2)


def test_region_touching_the_grid_edge_is_closed() -> None:
    overlay = sphere_overlay(centre_mm=(0.0, 28.0, 25.0))  # cut in half by the first slice
    volume, _ = surface_volume_and_area(build_mask_surface(overlay, smoothing_iterations=0))
    half_ball = 2.0 / 3.0 * math.pi * RADIUS_MM**3 + math.pi * RADIUS_MM**2 * SPACING[0] / 2
    assert volume == pytest.approx(half_ball, rel=0.1)


def test_surfaces_build_in_worker_threads() -> None:
    overlays = [sphere_overlay(), sphere_overlay(centre_mm=(25.0, 20.0, 30.0))]
    in_main = [build_mask_surface(o).GetNumberOfPolys() for o in overlays]
    with ThreadPoolExecutor(max_workers=2) as pool:
        surfaces = list(pool.map(build_mask_surface, overlays))
    assert [s.GetNumberOfPolys() for s in surfaces] == in_main
    assert all(count > 500 for count in in_main)
