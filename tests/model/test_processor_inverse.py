"""The processor's exact inverse: model-grid boxes and masks back to original voxels."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from model.processor import ImageGrid, ImageTransform, VividMedImageProcessor, VoxelBox
from model.processor.resample import resample_volume
from vividmed_viewer.core.errors import ModelError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlays import Box

# An oblique, non-identity orientation (columns are the z, y, x axes in LPS).
TILTED = np.array(
    [[0.0, 0.0, 1.0], [np.sin(0.3), np.cos(0.3), 0.0], [np.cos(0.3), -np.sin(0.3), 0.0]]
)


def film_transform() -> ImageTransform:
    """A 1024×512 film with anisotropic pixels, shrunk exactly 2× for a 128-token budget."""
    volume = ImageVolume(
        np.zeros((1, 1024, 512), np.float32), spacing=(1.0, 0.15, 0.2), origin=(-10, 20, 5)
    )
    transform = VividMedImageProcessor(token_budget=128).preprocess(volume).transform
    assert transform.resized_shape == (1, 512, 256)
    return transform


def ct_transform() -> ImageTransform:
    """A 40-slice CT (5 mm slices, 0.7 mm pixels, tilted) at the evaluation budget."""
    volume = ImageVolume(
        np.zeros((40, 200, 300), np.float32),
        spacing=(5.0, 0.7, 0.7),
        origin=(100.0, -50.0, 30.0),
        direction=TILTED,
        modality="CT",
    )
    return VividMedImageProcessor(token_budget=256).preprocess(volume).transform


def test_box_drawn_on_the_model_grid_maps_to_the_right_film_voxels() -> None:
    transform = film_transform()
    padded = np.asarray(transform.padded_shape, dtype=float)
    # Model voxels z 0..0, y 10..19, x 5..9 as normalized edges.
    low, high = np.array([0, 10, 5]), np.array([1, 20, 10])
    box = np.concatenate([(low + high) / 2 / padded, (high - low) / padded])
    [mapped] = transform.boxes_to_image(torch.tensor(box[None]), scores=[0.9])
    assert mapped.minimum == (0.0, 20.0, 10.0)
    assert mapped.maximum == (0.0, 39.0, 19.0)
    assert mapped.score == pytest.approx(0.9)
    corner = transform.original.index_to_patient(mapped.minimum)
    # First corner = voxel (0, 20, 10): origin + spacing·index along the image's axes.
    np.testing.assert_allclose(corner, [-10 + 10 * 0.2, 20 + 20 * 0.15, 5 + 0.0])
    # The viewer's Box reads the same corners (the inference adapter converts to it).
    viewer_box = Box(mapped.minimum, mapped.maximum)
    film = ImageVolume(np.zeros((1, 1024, 512)), spacing=(1.0, 0.15, 0.2), origin=(-10, 20, 5))
    np.testing.assert_allclose(viewer_box.corners_patient(film.geometry)[0], corner)
    np.testing.assert_allclose(viewer_box.extent_mm(film.geometry), [1.0, 20 * 0.15, 10 * 0.2])


def test_ct_boxes_map_to_voxels_whose_centres_are_inside() -> None:
    transform = ct_transform()
    padded = np.asarray(transform.padded_shape, dtype=float)
    rng = np.random.default_rng(3)
    for _ in range(20):
        low = rng.uniform(0, 0.6, 3) * padded
        high = low + rng.uniform(2, 0.3 * padded.min(), 3)
        box = np.concatenate([(low + high) / 2 / padded, (high - low) / padded])
        [mapped] = transform.boxes_to_image(torch.tensor(box[None]))
        # Independent check: original voxel i spans edges [i, i + 1]; model edge e ↔ e·scale.
        for axis in range(3):
            scale = transform.original.shape[axis] / transform.resized_shape[axis]
            centres = np.arange(transform.original.shape[axis]) + 0.5
            inside = np.nonzero((centres >= low[axis] * scale) & (centres <= high[axis] * scale))[0]
            assert mapped.minimum[axis] == inside.min()
            assert mapped.maximum[axis] == inside.max()


def test_boxes_round_trip_through_the_model_grid() -> None:
    for transform in (film_transform(), ct_transform()):
        shape = np.asarray(transform.original.shape)
        rng = np.random.default_rng(7)
        boxes = []
        for _ in range(10):
            low = rng.integers(0, shape // 2 + 1)
            high = low + rng.integers(0, shape // 2 + 1)
            corners = [tuple(float(v) for v in c) for c in (low, high)]
            boxes.append(VoxelBox(corners[0], corners[1]))  # type: ignore[arg-type]
        normalized = transform.boxes_to_model(boxes)
        assert normalized.shape == (10, 6)
        assert torch.all((normalized >= 0) & (normalized <= 1))
        assert transform.boxes_to_image(normalized) == boxes


def test_two_d_boxes_span_the_single_slice() -> None:
    transform = film_transform()
    # Anything with voxel corners maps: here the viewer's own Box.
    normalized = transform.boxes_to_model([Box((0, 100, 50), (0, 300, 200))])
    assert normalized[0, 0].item() == pytest.approx(0.5) and normalized[0, 3].item() == 1.0


def test_model_geometry_places_model_voxels_in_patient_space() -> None:
    transform = ct_transform()
    model_grid = transform.model_geometry()
    points = np.array([[0, 0, 0], [2.5, 17, 33], [5, 70, 100]], dtype=float)
    original_index = transform.model_to_original_index(points)
    np.testing.assert_allclose(
        model_grid.index_to_patient(points), transform.original.index_to_patient(original_index)
    )
    np.testing.assert_allclose(transform.original_to_model_index(original_index), points)
    # The model grid covers the same physical extent as the image (edges to edges).
    scale = transform.scale
    np.testing.assert_allclose(
        np.asarray(model_grid.spacing) * transform.resized_shape,
        np.asarray(transform.original.spacing) * transform.original.shape,
    )
    assert scale[0] == 1.0  # depth is never resized for 40 slices


def ellipsoid(shape: tuple[int, int, int], spacing: tuple[float, float, float]) -> np.ndarray:
    axes = [(np.arange(n) - n / 2 + 0.3) * s for n, s in zip(shape, spacing, strict=True)]
    z, y, x = np.meshgrid(*axes, indexing="ij")
    return ((z / 40) ** 2 + (y / 45) ** 2 + ((x - 10) / 30) ** 2 <= 1).astype(np.uint8)


def dice(a: np.ndarray, b: np.ndarray) -> float:
    return float(2 * np.logical_and(a, b).sum() / (a.sum() + b.sum()))


@pytest.mark.parametrize(
    ("shape", "spacing", "budget"),
    [
        ((40, 256, 256), (5.0, 0.7, 0.7), 256),
        ((1, 700, 600), (1.0, 0.2, 0.25), 144),
        ((9, 64, 80), (4.0, 1.5, 1.2), 256),  # small image: the model grid is larger
    ],
)
def test_mask_round_trip_keeps_smooth_shapes(
    shape: tuple[int, int, int], spacing: tuple[float, float, float], budget: int
) -> None:
    volume = ImageVolume(np.zeros(shape, np.float32), spacing=spacing)
    transform = VividMedImageProcessor(token_budget=budget).preprocess(volume).transform
    mask = ellipsoid(shape, spacing)
    assert mask.sum() > 100
    model_mask = transform.label_map_to_model(mask)
    assert model_mask.shape == transform.padded_shape
    assert set(model_mask.unique().tolist()) <= {0.0, 1.0}
    back = transform.mask_to_image(model_mask > 0.5)
    assert back.dtype == np.uint8 and back.shape == shape
    assert dice(back, mask) > 0.95


def test_thin_present_mask_keeps_the_model_voxels_it_touches_when_asked() -> None:
    transform = film_transform()  # 2× shrink: a one-pixel line covers under half a voxel
    line = np.zeros(transform.original.shape, np.uint8)
    line[0, 101, 40:200] = 1
    assert not transform.label_map_to_model(line).any()  # the 0.5 rule erases it
    kept = transform.label_map_to_model(line, keep_touched=True)
    rows = torch.nonzero(kept[0].sum(dim=1)).flatten().tolist()
    assert rows == [50, 51] and int(kept.sum()) >= 80  # the antialiased kernel spans two rows
    empty = np.zeros_like(line)
    assert not transform.label_map_to_model(empty, keep_touched=True).any()


def test_model_grid_cube_maps_to_exact_original_voxels() -> None:
    transform = film_transform()
    model_mask = torch.zeros(transform.padded_shape)
    model_mask[0, 10:20, 5:10] = 1
    back = transform.mask_to_image(model_mask)
    expected = np.zeros(transform.original.shape, np.uint8)
    expected[0, 20:40, 10:20] = 1
    np.testing.assert_array_equal(back, expected)
    # The unpadded (resized) grid is accepted too.
    np.testing.assert_array_equal(transform.mask_to_image(model_mask[:, :512, :256].numpy()), back)


def test_inverse_errors_name_the_expected_shapes() -> None:
    transform = film_transform()
    with pytest.raises(ModelError, match=r"shape \(1, 512, 256\) \(padded\).*got \(1, 64, 64\)"):
        transform.mask_to_image(torch.zeros(1, 64, 64))
    with pytest.raises(ModelError, match=r"mask shape \(1, 10, 10\) does not match the image"):
        transform.label_map_to_model(np.zeros((1, 10, 10)))
    with pytest.raises(ModelError, match="2 boxes but 1 scores"):
        transform.boxes_to_image(torch.full((2, 6), 0.5), scores=[0.3])


def test_transform_record_round_trips() -> None:
    transform = ct_transform()
    again = ImageTransform.from_dict(transform.to_dict())
    assert isinstance(again.original, ImageGrid)
    assert again.original.to_dict() == transform.original.to_dict()
    np.testing.assert_allclose(again.original.direction, TILTED)
    assert again.padded_shape == transform.padded_shape
    assert again.intensity == transform.intensity


@pytest.mark.parametrize("shape", [(9, 40, 50), (3, 12, 50), (3, 12, 20), (9, 40, 20)])
def test_resampling_is_the_antialiased_linear_resize_in_every_direction(
    shape: tuple[int, int, int],
) -> None:
    # The fast path (no antialias when nothing shrinks) must equal the antialiased kernel.
    volume = torch.rand(5, 24, 30, generator=torch.Generator().manual_seed(0))
    planes = F.interpolate(
        volume[:, None], size=shape[1:], mode="bilinear", antialias=True, align_corners=False
    )[:, 0]
    flat = planes.reshape(1, 1, 5, -1)
    expected = F.interpolate(
        flat, size=(shape[0], flat.shape[-1]), mode="bilinear", antialias=True, align_corners=False
    ).reshape(shape)
    torch.testing.assert_close(resample_volume(volume, shape), expected, atol=1e-6, rtol=1e-6)
