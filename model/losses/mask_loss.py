"""Mask loss of the semantic model: Dice×2 + focal×2 (γ = 2), via MONAI's DiceFocalLoss."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch

from vividmed_viewer.core.errors import ModelError


@lru_cache(maxsize=8)
def _dice_focal(lambda_dice: float, lambda_focal: float, gamma: float) -> Any:
    from monai.losses import DiceFocalLoss  # lazy: importing MONAI takes seconds

    # smooth 1 (not MONAI's 1e-5) so an empty target with a near-empty prediction costs ~0:
    # negative phrases must be able to teach "absent".
    return DiceFocalLoss(
        sigmoid=True,
        gamma=gamma,
        lambda_dice=lambda_dice,
        lambda_focal=lambda_focal,
        smooth_nr=1.0,
        smooth_dr=1.0,
    )


def mask_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    w_dice: float = 2.0,
    w_focal: float = 2.0,
    gamma: float = 2.0,
) -> torch.Tensor:
    """Dice×w_dice + focal×w_focal between mask logits and binary targets of the same shape.

    ``logits`` and ``targets`` are [K, D, H, W] (one map per phrase) or [B, K, D, H, W];
    Dice is computed per map, then averaged. An all-zero target is a valid negative phrase.
    """
    if logits.shape != targets.shape:
        raise ModelError(
            f"mask_loss: logits {list(logits.shape)} and targets {list(targets.shape)} differ"
        )
    if logits.ndim not in (4, 5):
        raise ModelError(f"mask_loss expects [K, D, H, W] or [B, K, D, H, W], got {logits.ndim}D")
    maps = logits.reshape(-1, 1, *logits.shape[-3:])
    truth = targets.reshape(-1, 1, *targets.shape[-3:]).to(maps.dtype)
    if maps.shape[0] == 0:
        return logits.sum() * 0.0
    loss: torch.Tensor = _dice_focal(float(w_dice), float(w_focal), float(gamma))(maps, truth)
    return loss
