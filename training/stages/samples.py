"""Conversation samples (image space) → the model's encoded training samples (model grid).

The image goes through the model's processor; each grounded phrase's target becomes a
mask or boxes on the model grid, chosen by its taxonomy category (anatomy → mask,
abnormality → boxes), as the model's heads are chosen at inference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from vividmed_viewer.core import Box
from vividmed_viewer.core.errors import TrainingError
from vividmed_viewer.core.taxonomy import Taxonomy


def wants_mask(taxonomy: Taxonomy, target: str) -> bool:
    """Whether a target is grounded with a mask (anatomy) rather than boxes (abnormality)."""
    entry = taxonomy.resolve(target)
    if entry is None:
        raise TrainingError(f"grounded target '{target}' is not in the taxonomy")
    return entry.wants_mask


def _box_of_mask(mask: np.ndarray) -> list[Box]:
    points = np.argwhere(mask > 0)
    if not len(points):
        return []
    low, high = points.min(0), points.max(0)
    return [
        Box(
            (float(low[0]), float(low[1]), float(low[2])),
            (float(high[0]), float(high[1]), float(high[2])),
        )
    ]


def _mask_of_boxes(boxes: list[Box], shape: tuple[int, int, int]) -> np.ndarray:
    mask = np.zeros(shape, dtype=np.uint8)
    for box in boxes:
        low = [round(v) for v in box.minimum]
        high = [round(v) + 1 for v in box.maximum]
        mask[low[0] : high[0], low[1] : high[1], low[2] : high[2]] = 1
    return mask


def model_mask(mask: np.ndarray, transform: Any, negative: bool) -> torch.Tensor:
    """The mask on the model grid, resampled by the processor's transform; a present target
    that the 0.5 rule erases keeps every model voxel it touches (thin structures on a coarse
    grid), so "yes" never teaches "absent"."""
    resized: torch.Tensor = transform.label_map_to_model(mask, keep_touched=not negative)
    return resized


def phrase_target(
    target: Any,
    transform: Any,
    taxonomy: Taxonomy,
    teacher_prompts: Mapping[str, torch.Tensor] | None = None,
    teacher_weight: float = 1.0,
) -> Any:
    """A ``GroundingTarget`` (image grid) → the model's ``PhraseTarget`` (model grid).

    ``teacher_prompts`` (target name → stage-0 prompt) gives the target its teacher prompt,
    distilled with ``teacher_weight``.
    """
    from model.text import PhraseTarget

    shape = transform.original_shape
    prompt = teacher_prompts.get(target.target) if teacher_prompts else None
    if wants_mask(taxonomy, target.target):
        if target.mask is not None:
            mask = np.asarray(target.mask).reshape(shape)
        else:
            mask = _mask_of_boxes(list(target.boxes or []), shape)
        return PhraseTarget(
            "mask",
            mask=model_mask(mask, transform, target.negative),
            prompt=prompt,
            prompt_weight=teacher_weight,
        )
    if target.boxes is not None:
        boxes = list(target.boxes)
    elif target.mask is not None:
        boxes = _box_of_mask(np.asarray(target.mask).reshape(shape))
    else:
        boxes = []
    return PhraseTarget(
        "boxes", boxes=transform.boxes_to_model(boxes), prompt=prompt, prompt_weight=teacher_weight
    )


def encode_conversation_sample(
    sample: Any,
    processor: Any,
    tokenizer: Any,
    token_ids: Any,
    taxonomy: Taxonomy,
    open_weight: float = 5.0,
    teacher_prompts: Mapping[str, torch.Tensor] | None = None,
    teacher_weight: float = 1.0,
) -> Any:
    """``ConversationSample`` → ``EncodedSample`` (ids, labels, weights, image tensors, targets)."""
    from model.text import ChatTurn, TrainingSample, encode_sample

    processed = processor.preprocess(sample.image)
    targets = (
        [
            phrase_target(t, processed.transform, taxonomy, teacher_prompts, teacher_weight)
            for t in sample.targets
        ]
        if sample.grounded
        else []
    )
    training_sample = TrainingSample(
        pixel_values=processed.pixel_values,
        localization_values=processed.localization_values,
        turns=[ChatTurn(question, answer) for question, answer in sample.turns],
        grounded=sample.grounded,
        targets=targets,
    )
    return encode_sample(tokenizer, token_ids, training_sample, open_weight=open_weight)


def image01_of(processed: Any) -> torch.Tensor:
    """The [1, D, H, W] localization input of a processed image."""
    values: torch.Tensor = processed.localization_values
    return values[0] if values.ndim == 5 else values
