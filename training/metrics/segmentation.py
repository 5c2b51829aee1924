"""Dice per target (cross-checked against MONAI's DiceMetric in the tests)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray


def dice(prediction: NDArray[np.generic], truth: NDArray[np.generic]) -> float:
    """2|A∩B| / (|A| + |B|) of two masks (non-zero = inside); 1.0 when both are empty."""
    predicted, actual = np.asarray(prediction) > 0, np.asarray(truth) > 0
    if predicted.shape != actual.shape:
        raise ValueError(f"mask shapes differ: {predicted.shape} vs {actual.shape}")
    total = int(predicted.sum()) + int(actual.sum())
    if total == 0:
        return 1.0
    return 2.0 * int(np.logical_and(predicted, actual).sum()) / total


def dice_per_target(
    predictions: Mapping[str, NDArray[np.generic]], truths: Mapping[str, NDArray[np.generic]]
) -> dict[str, float]:
    """Dice of every ground-truth target; a target the prediction lacks scores 0."""
    scores = {}
    for target, truth in truths.items():
        prediction = predictions.get(target)
        scores[target] = dice(prediction, truth) if prediction is not None else 0.0
    return scores
