"""Set-prediction loss of the instance model: L1×5 + GIoU×2 on matches, focal×2 on presence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from model.losses.boxes import center_size_to_corners, generalized_box_iou
from model.losses.matching import hungarian_match
from vividmed_viewer.core.errors import ModelError


@dataclass
class InstanceLossOutput:
    """The weighted total and its unweighted parts (for logging)."""

    total: torch.Tensor
    l1: torch.Tensor
    giou: torch.Tensor
    focal: torch.Tensor


def sigmoid_focal_loss(
    logits: torch.Tensor, targets: torch.Tensor, gamma: float = 2.0, alpha: float = 0.85
) -> torch.Tensor:
    """Mean binary focal loss; ``alpha`` weighs positives, ``1 − alpha`` negatives.

    Written in torch (not MONAI's FocalLoss) so the matcher-facing loss stays cheap to import.
    """
    probability = torch.sigmoid(logits)
    cross_entropy = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, targets, reduction="none"
    )
    p_true = probability * targets + (1 - probability) * (1 - targets)
    weight = alpha * targets + (1 - alpha) * (1 - targets)
    return (weight * (1 - p_true) ** gamma * cross_entropy).mean()


def instance_loss(
    pred_boxes: torch.Tensor,
    pred_logits: torch.Tensor,
    target_boxes: Sequence[torch.Tensor] | torch.Tensor,
    w_disc: float = 2.0,
    w_l1: float = 5.0,
    w_giou: float = 2.0,
    w_focal: float = 2.0,
    gamma: float = 2.0,
    alpha: float = 0.85,
) -> InstanceLossOutput:
    """Hungarian-matched box loss over P phrases.

    Parameters
    ----------
    pred_boxes:
        [P, Q, 6] (or [Q, 6] for one phrase) normalized centre-size boxes.
    pred_logits:
        [P, Q] (or [Q]) present/absent logits.
    target_boxes:
        P tensors [M_i, 6] (or one [M, 6] tensor for one phrase); M_i = 0 is a negative
        phrase whose every query must say "absent".

    Returns
    -------
    ``w_l1·L1 + w_giou·(1 − GIoU)`` averaged over matched boxes plus ``w_focal·focal`` over
    all queries (the matching uses ``w_disc`` for its probability term).
    """
    if pred_boxes.ndim == 2:
        pred_boxes, pred_logits = pred_boxes[None], pred_logits[None]
        target_boxes = [target_boxes] if isinstance(target_boxes, torch.Tensor) else target_boxes
    targets = list(target_boxes)
    if len(targets) != pred_boxes.shape[0] or pred_logits.shape != pred_boxes.shape[:2]:
        raise ModelError(
            f"instance_loss: {pred_boxes.shape[0]} predictions with logits "
            f"{list(pred_logits.shape)} but {len(targets)} target sets"
        )
    presence = torch.zeros_like(pred_logits)
    matched_pred, matched_target = [], []
    for phrase, target in enumerate(targets):
        target = target.to(pred_boxes)
        queries, columns = hungarian_match(
            pred_boxes[phrase], pred_logits[phrase], target, w_disc, w_l1, w_giou
        )
        presence[phrase, queries] = 1.0
        matched_pred.append(pred_boxes[phrase, queries])
        matched_target.append(target[columns])
    predicted = torch.cat(matched_pred)
    expected = torch.cat(matched_target)
    if len(predicted):
        l1 = (predicted - expected).abs().sum(dim=-1).mean()
        giou = generalized_box_iou(
            center_size_to_corners(predicted), center_size_to_corners(expected)
        ).diagonal()
        giou_loss = (1 - giou).mean()
    else:
        l1 = giou_loss = pred_boxes.sum() * 0.0
    focal = sigmoid_focal_loss(pred_logits, presence, gamma, alpha)
    total = w_l1 * l1 + w_giou * giou_loss + w_focal * focal
    return InstanceLossOutput(total=total, l1=l1, giou=giou_loss, focal=focal)
