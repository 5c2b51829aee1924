"""Processor → tiny encoders → inverse maps: the whole image side on a real forward pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from model.localization import InstanceLocalizer, SemanticLocalizer
from model.parts_config import LocalizationConfig, VisionConfig
from model.processor import VividMedImageProcessor
from model.vision import VisionEncoder
from vividmed_viewer.core.image_volume import ImageVolume


@pytest.mark.parametrize(
    ("shape", "spacing"), [((1, 300, 260), (1.0, 0.3, 0.3)), ((30, 96, 120), (2.5, 0.8, 0.8))]
)
def test_processed_image_runs_through_every_image_model(
    tiny_vision: VisionConfig,
    tiny_localization: LocalizationConfig,
    shape: tuple[int, int, int],
    spacing: tuple[float, float, float],
) -> None:
    rng = np.random.default_rng(0)
    volume = ImageVolume(
        rng.normal(0, 100, shape).astype(np.float32), spacing=spacing, modality="CT"
    )
    processed = VividMedImageProcessor(token_budget=144).preprocess(volume)
    with torch.no_grad():
        tokens = VisionEncoder(tiny_vision)(processed.pixel_values)
        prompts = torch.randn(1, 2, 24)
        semantic = SemanticLocalizer(tiny_localization)
        logits = semantic(processed.localization_values, prompts)
        instances = InstanceLocalizer(tiny_localization)(processed.localization_values, prompts)
    assert tokens.shape == (1, processed.num_image_tokens, tiny_vision.hidden_size)
    assert processed.num_image_tokens <= 144
    assert logits.shape == (1, 2, *processed.transform.padded_shape)
    mask = processed.transform.mask_to_image(torch.sigmoid(logits[0, 0]) > 0.5)
    assert mask.shape == shape
    boxes = processed.transform.boxes_to_image(
        instances.boxes[0, 0], scores=instances.probabilities[0, 0]
    )
    assert len(boxes) == 6
    for box in boxes:
        assert all(
            0 <= low <= high < size
            for low, high, size in zip(box.minimum, box.maximum, shape, strict=True)
        )
        assert box.score is not None and 0 < box.score < 1
    if shape[0] == 1:
        assert all(box.minimum[0] == box.maximum[0] == 0 for box in boxes)
