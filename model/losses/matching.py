"""Hungarian matching of instance queries to target boxes (scipy ``linear_sum_assignment``)."""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from model.losses.boxes import center_size_to_corners, generalized_box_iou


def matching_cost(
    pred_boxes: torch.Tensor,
    pred_logits: torch.Tensor,
    target_boxes: torch.Tensor,
    w_disc: float = 2.0,
    w_l1: float = 5.0,
    w_giou: float = 2.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cost of giving each query each target [Q, M], and of giving it no target [Q].

    For a real target: ``w_disc·(1−p) + w_l1·L1 + w_giou·(1−GIoU)``; for "no target":
    ``w_disc·p``, with ``p = sigmoid(logit)``.
    """
    probability = torch.sigmoid(pred_logits.detach().float())
    boxes = pred_boxes.detach().float()
    targets = target_boxes.detach().float().to(boxes.device)
    l1 = torch.cdist(boxes, targets, p=1) if len(targets) else boxes.new_zeros(len(boxes), 0)
    giou = (
        generalized_box_iou(center_size_to_corners(boxes), center_size_to_corners(targets))
        if len(targets)
        else boxes.new_zeros(len(boxes), 0)
    )
    target_cost = w_disc * (1 - probability)[:, None] + w_l1 * l1 + w_giou * (1 - giou)
    return target_cost, w_disc * probability


def hungarian_match(
    pred_boxes: torch.Tensor,
    pred_logits: torch.Tensor,
    target_boxes: torch.Tensor,
    w_disc: float = 2.0,
    w_l1: float = 5.0,
    w_giou: float = 2.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Match Q predictions to M targets minimizing matched cost + "no target" cost of the rest.

    Parameters
    ----------
    pred_boxes, pred_logits:
        [Q, 6] normalized centre-size boxes and [Q] present/absent logits.
    target_boxes:
        [M, 6] normalized centre-size boxes (M may be 0: a negative phrase).

    Returns
    -------
    (query indices, target indices), two int64 tensors of equal length ``min(Q, M)``,
    sorted by query index. When M > Q only Q targets can be matched.
    """
    queries, targets = len(pred_boxes), len(target_boxes)
    empty = torch.zeros(0, dtype=torch.long, device=pred_boxes.device)
    if targets == 0 or queries == 0:
        return empty, empty.clone()
    target_cost, absent_cost = matching_cost(
        pred_boxes, pred_logits, target_boxes, w_disc, w_l1, w_giou
    )
    target_np = target_cost.cpu().numpy().astype(np.float64)
    if targets >= queries:
        rows, columns = linear_sum_assignment(target_np)
    else:
        # Square problem: the Q − M extra columns are "no target" slots, each costing w_disc·p.
        spare = np.repeat(
            absent_cost.cpu().numpy().astype(np.float64)[:, None], queries - targets, 1
        )
        rows, columns = linear_sum_assignment(np.concatenate([target_np, spare], axis=1))
        keep = columns < targets
        rows, columns = rows[keep], columns[keep]
    order = np.argsort(rows)
    device = pred_boxes.device
    return (
        torch.as_tensor(rows[order], dtype=torch.long, device=device),
        torch.as_tensor(columns[order], dtype=torch.long, device=device),
    )
