"""Box metrics: IoU/GIoU, mean L1 of normalized centre-size boxes, AP at IoU 0.5.

Boxes are core ``Box`` objects in voxel indices with inclusive corners, so a box covering
voxels 3..5 is 3 voxels long. For 2D images (one slice) the z axis is left out of L1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from vividmed_viewer.core import Box


def _corners(box: Box) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.asarray(box.minimum, dtype=float), np.asarray(box.maximum, dtype=float) + 1.0


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of the voxel volumes."""
    (a0, a1), (b0, b1) = _corners(a), _corners(b)
    overlap = np.prod(np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0, None))
    union = np.prod(a1 - a0) + np.prod(b1 - b0) - overlap
    return float(overlap / union) if union > 0 else 0.0


def box_giou(a: Box, b: Box) -> float:
    """Generalized IoU: IoU − (hull − union) / hull, in [−1, 1]."""
    (a0, a1), (b0, b1) = _corners(a), _corners(b)
    overlap = np.prod(np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0, None))
    union = np.prod(a1 - a0) + np.prod(b1 - b0) - overlap
    hull = np.prod(np.maximum(a1, b1) - np.minimum(a0, b0))
    if union <= 0 or hull <= 0:
        return 0.0
    return float(overlap / union - (hull - union) / hull)


def normalized_center_size(box: Box, shape: tuple[int, int, int]) -> NDArray[np.float64]:
    """(cz, cy, cx, d, h, w) as fractions of the image size."""
    low, high = _corners(box)
    size = np.asarray(shape, dtype=float)
    return np.concatenate([(low + high) / 2.0 / size, (high - low) / size])


def box_l1(a: Box, b: Box, shape: tuple[int, int, int]) -> float:
    """Mean absolute difference of normalized centre-size values (z left out for 2D)."""
    difference = np.abs(normalized_center_size(a, shape) - normalized_center_size(b, shape))
    if shape[0] == 1:
        difference = difference[[1, 2, 4, 5]]
    return float(difference.mean())


@dataclass(frozen=True)
class BoxMatch:
    """Hungarian matching of predictions to ground truth (cost: L1 + 1 − GIoU)."""

    mean_l1: float | None
    mean_giou: float | None
    matched: int
    missed: int
    extra: int


def match_boxes(
    predicted: Sequence[Box], truth: Sequence[Box], shape: tuple[int, int, int]
) -> BoxMatch:
    """Mean L1 and GIoU over one-to-one matched pairs."""
    if not predicted or not truth:
        return BoxMatch(None, None, 0, len(truth), len(predicted))
    l1 = np.array([[box_l1(p, t, shape) for t in truth] for p in predicted])
    giou = np.array([[box_giou(p, t) for t in truth] for p in predicted])
    rows, columns = linear_sum_assignment(l1 + 1.0 - giou)
    return BoxMatch(
        mean_l1=float(l1[rows, columns].mean()),
        mean_giou=float(giou[rows, columns].mean()),
        matched=len(rows),
        missed=len(truth) - len(rows),
        extra=len(predicted) - len(rows),
    )


def average_precision(
    predictions: Sequence[tuple[str, Box]],
    truths: Mapping[str, Sequence[Box]],
    iou_threshold: float = 0.5,
) -> float:
    """AP (all-point interpolated, as PASCAL VOC 2010+) of scored boxes over images.

    ``predictions`` are (image id, box with ``score``); each ground-truth box can be matched
    once, by the highest-scoring prediction with IoU ≥ threshold.
    """
    positives = sum(len(boxes) for boxes in truths.values())
    if positives == 0:
        return 0.0
    order = sorted(predictions, key=lambda item: -(item[1].score or 0.0))
    used = {image: [False] * len(boxes) for image, boxes in truths.items()}
    hits = []
    for image, box in order:
        candidates = truths.get(image, [])
        overlaps = [box_iou(box, t) for t in candidates]
        best = int(np.argmax(overlaps)) if overlaps else -1
        if best >= 0 and overlaps[best] >= iou_threshold and not used[image][best]:
            used[image][best] = True
            hits.append(1.0)
        else:
            hits.append(0.0)
    true_positives = np.cumsum(hits)
    precision = true_positives / np.arange(1, len(hits) + 1)
    recall = true_positives / positives
    recall_points = np.concatenate([[0.0], recall, [1.0]])
    precision_points = np.concatenate([[0.0], precision, [0.0]])
    for i in range(len(precision_points) - 2, -1, -1):
        precision_points[i] = max(precision_points[i], precision_points[i + 1])
    steps = np.nonzero(recall_points[1:] != recall_points[:-1])[0]
    return float(
        np.sum((recall_points[steps + 1] - recall_points[steps]) * precision_points[steps + 1])
    )
