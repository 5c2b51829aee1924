"""Dice (against MONAI's DiceMetric) and box metrics (IoU, GIoU, L1, AP@0.5)."""

from __future__ import annotations

import numpy as np
import pytest

from training.metrics import (
    average_precision,
    box_giou,
    box_iou,
    box_l1,
    dice,
    dice_per_target,
    match_boxes,
)
from vividmed_viewer.core import Box


def test_dice_matches_monai() -> None:
    import torch
    from monai.metrics import DiceMetric

    rng = np.random.default_rng(0)
    truth = rng.random((2, 12, 16, 16)) > 0.6
    prediction = np.logical_xor(truth, rng.random(truth.shape) > 0.85)
    metric = DiceMetric(include_background=True, reduction="none")
    values = metric(
        torch.from_numpy(prediction[:, None].astype(np.float32)),
        torch.from_numpy(truth[:, None].astype(np.float32)),
    )
    for index in range(2):
        assert dice(prediction[index], truth[index]) == pytest.approx(
            float(values[index, 0]), abs=1e-6
        )


def test_dice_per_target() -> None:
    a = np.zeros((4, 4, 4), np.uint8)
    a[:2] = 1
    b = np.zeros_like(a)
    b[1:3] = 1
    scores = dice_per_target({"liver": a, "heart": a}, {"liver": b, "heart": a, "spleen": b})
    assert scores == {"liver": 0.5, "heart": 1.0, "spleen": 0.0}
    assert dice(np.zeros(3), np.zeros(3)) == 1.0


def test_iou_and_giou() -> None:
    a = Box((0, 0, 0), (0, 9, 9))  # 1 x 10 x 10 voxels
    b = Box((0, 5, 0), (0, 14, 9))
    assert box_iou(a, a) == 1.0 and box_giou(a, a) == 1.0
    assert box_iou(a, b) == pytest.approx(50 / 150)
    assert box_giou(a, b) == pytest.approx(50 / 150)  # hull equals union
    far = Box((0, 30, 30), (0, 39, 39))
    assert box_iou(a, far) == 0.0
    assert box_giou(a, far) == pytest.approx(0 - (1600 - 200) / 1600)


def test_l1_and_matching() -> None:
    shape = (1, 100, 100)
    truth = [Box((0, 10, 10), (0, 19, 19)), Box((0, 50, 50), (0, 69, 69))]
    predicted = [Box((0, 52, 50), (0, 71, 69)), Box((0, 10, 10), (0, 19, 19))]
    assert box_l1(truth[1], predicted[0], shape) == pytest.approx((0.02 + 0 + 0 + 0) / 4)
    match = match_boxes(predicted, truth, shape)
    assert match.matched == 2 and match.missed == 0 and match.extra == 0
    assert match.mean_l1 == pytest.approx(0.005 / 2)
    assert match_boxes([], truth, shape).missed == 2


def test_average_precision_at_half_iou() -> None:
    truths = {
        "a": [Box((0, 0, 0), (0, 9, 9))],
        "b": [Box((0, 0, 0), (0, 9, 9)), Box((0, 50, 50), (0, 59, 59))],
    }
    predictions = [
        ("a", Box((0, 0, 0), (0, 9, 9), score=0.9)),  # TP
        ("b", Box((0, 30, 30), (0, 39, 39), score=0.8)),  # FP
        ("b", Box((0, 1, 0), (0, 10, 9), score=0.7)),  # TP
        ("a", Box((0, 0, 0), (0, 9, 9), score=0.6)),  # duplicate: FP
    ]
    # precision/recall: (1, 1/3), (1/2, 1/3), (2/3, 2/3), (1/2, 2/3); AP = 1/3·1 + 1/3·2/3.
    assert average_precision(predictions, truths) == pytest.approx(1 / 3 + 2 / 9)
    assert average_precision([], {"a": []}) == 0.0
