"""Model-grid planning and the processor's tensors (intensities, normalization, padding)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pydicom
import pytest
import torch
from pydicom.data import get_testdata_file

from model.processor import CLIP_MEAN, CLIP_STD, VividMedImageProcessor, plan_model_grid
from model.vision import pooled_token_count
from vividmed_viewer.core.errors import ModelError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.window import WindowLevel


@pytest.fixture(scope="module")
def chest_film() -> ImageVolume:
    """pydicom-data's real PA chest CR (1955×1841, MONOCHROME1)."""
    path = get_testdata_file("RG1_UNCR.dcm")
    assert isinstance(path, str), "pydicom-data's RG1_UNCR.dcm is missing"
    dataset = pydicom.dcmread(path)
    return ImageVolume(
        dataset.pixel_array,
        spacing=(1.0, 0.15, 0.15),
        modality="CR",
        invert_for_display=dataset.PhotometricInterpretation == "MONOCHROME1",
    )


@pytest.mark.parametrize(
    "shape", [(1, 512, 512), (1, 1955, 1841), (40, 256, 256), (300, 128, 128), (7, 90, 333)]
)
@pytest.mark.parametrize("budget", [144, 256])
def test_plan_fits_the_budget_and_keeps_aspect_and_depth(
    shape: tuple[int, int, int], budget: int
) -> None:
    plan = plan_model_grid(shape, budget)
    depth, height, width = plan.resized_shape
    assert plan.num_tokens == pooled_token_count(plan.padded_shape) <= budget
    assert plan.num_tokens > 0.7 * budget  # the budget is used, not wasted
    assert width / height == pytest.approx(shape[2] / shape[1], rel=0.02)
    assert depth == shape[0] or (budget == 144 and shape[0] == 300)
    assert plan.padded_shape[1] % 32 == 0 and plan.padded_shape[2] % 32 == 0
    assert all(p >= r for p, r in zip(plan.padded_shape, plan.resized_shape, strict=True))


def test_chest_film_at_144_tokens_is_about_384_pixels() -> None:
    plan = plan_model_grid((1, 1955, 1841), 144)
    assert plan.padded_shape == (1, 384, 384)
    assert plan.resized_shape == (1, 384, 362)


def test_depth_is_resized_only_when_the_budget_cannot_hold_it() -> None:
    assert plan_model_grid((300, 128, 128), 256).resized_shape[0] == 300
    deep = plan_model_grid((1000, 512, 512), 256)
    assert deep.resized_shape[0] < 1000
    assert deep.num_tokens <= 256
    assert deep.padded_shape[1] * deep.padded_shape[2] >= 16 * 32 * 32


def test_plan_errors_are_reported() -> None:
    with pytest.raises(ModelError, match="token_budget must be >= 1, got 0"):
        plan_model_grid((1, 64, 64), 0)
    with pytest.raises(ModelError, match="token_budget must be >= 1"):
        VividMedImageProcessor(token_budget=-3)


def test_ct_window_clips_then_scales_and_pixels_are_clip_normalized() -> None:
    voxels = np.linspace(-1200, 1200, 6 * 64 * 64, dtype=np.float32).reshape(6, 64, 64)
    volume = ImageVolume(voxels, spacing=(3.0, 0.7, 0.7), modality="CT")
    processed = VividMedImageProcessor(token_budget=64).preprocess(
        volume, WindowLevel(center=40, width=400)
    )
    image = processed.localization_values
    depth, height, width = processed.transform.resized_shape
    assert image.shape == (1, 1, *processed.transform.padded_shape)
    assert float(image.min()) == 0.0 and float(image.max()) == 1.0
    inside = image[0, 0, :depth, :height, :width]
    assert float(inside[0].max()) == 0.0  # first slice is below −160 HU: all clipped
    assert float(inside[-1].min()) == 1.0  # last slice is above 240 HU
    assert torch.all(image[0, 0, :, height:, :] == 0) and torch.all(image[0, 0, depth:] == 0)
    mean = torch.tensor(CLIP_MEAN).reshape(1, 3, 1, 1, 1)
    std = torch.tensor(CLIP_STD).reshape(1, 3, 1, 1, 1)
    assert processed.pixel_values.shape == (1, 3, *image.shape[2:])
    torch.testing.assert_close(processed.pixel_values * std + mean, image.expand(1, 3, -1, -1, -1))
    assert processed.transform.intensity.source == "window"


def test_without_window_the_percentile_range_is_used() -> None:
    rng = np.random.default_rng(0)
    voxels = rng.normal(100, 20, size=(1, 200, 200)).astype(np.float32)
    voxels[0, 0, :5] = 1e6  # a few hot pixels must not squash the contrast
    processed = VividMedImageProcessor(token_budget=64).preprocess(
        ImageVolume(voxels, modality="MR")
    )
    record = processed.transform.intensity
    assert record.upper < 1000 and record.source.startswith("percentile")
    inside = processed.localization_values[0, 0, 0, :256, :256]
    assert 0.4 < float(inside.mean()) < 0.6


def test_monochrome1_film_is_inverted_so_bone_is_bright(chest_film: ImageVolume) -> None:
    processor = VividMedImageProcessor(token_budget=144)
    inverted = processor.preprocess(chest_film)
    plain = ImageVolume(chest_film.voxels, spacing=chest_film.spacing, modality="CR")
    upright = processor.preprocess(plain)
    assert inverted.localization_values.shape == (1, 1, 1, 384, 384)
    assert inverted.num_image_tokens == 144
    height, width = inverted.transform.resized_shape[1:]
    a = inverted.localization_values[0, 0, 0, :height, :width]
    b = upright.localization_values[0, 0, 0, :height, :width]
    torch.testing.assert_close(a, 1 - b, atol=1e-5, rtol=0)
    assert inverted.transform.intensity.inverted


def test_processor_config_round_trips_through_json(tmp_path: Path) -> None:
    processor = VividMedImageProcessor(token_budget=144, min_inplane_tokens=9)
    assert VividMedImageProcessor.from_dict(processor.to_dict()) == processor
    processor.save_pretrained(tmp_path)
    assert VividMedImageProcessor.from_pretrained(tmp_path) == processor
    assert VividMedImageProcessor.from_pretrained(tmp_path, token_budget=256).token_budget == 256
    (tmp_path / "preprocessor_config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=r"preprocessor_config\.json: not valid JSON"):
        VividMedImageProcessor.from_pretrained(tmp_path)
    (tmp_path / "preprocessor_config.json").write_text(json.dumps({"size": 3}), encoding="utf-8")
    with pytest.raises(ModelError, match=r"unknown keys \['size'\]"):
        VividMedImageProcessor.from_pretrained(tmp_path)


def test_processor_for_a_vision_config_matches_its_patching() -> None:
    from model.parts_config import VisionConfig

    config = VisionConfig(hidden_size=32, depth=1, num_heads=2, patch_size=8, pool_in_plane=1)
    processor = VividMedImageProcessor.for_vision(config, token_budget=144)
    plan = processor.plan((1, 200, 200))
    assert plan.padded_shape == (1, 96, 96)  # 12 × 12 tokens of 8 px, no pooling
    assert plan.num_tokens == 144


def test_constant_image_scales_to_zero_without_nans() -> None:
    volume = ImageVolume(np.full((3, 40, 40), 7, np.int16), modality="MR")
    processed = VividMedImageProcessor(token_budget=16).preprocess(volume)
    assert torch.isfinite(processed.pixel_values).all()
    assert float(processed.localization_values.abs().max()) == 0.0
    # The original voxels are left untouched.
    assert int(volume.voxels.max()) == 7
