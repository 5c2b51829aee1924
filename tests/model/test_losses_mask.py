"""Mask loss: Dice×2 + focal×2 through MONAI's DiceFocalLoss."""

from __future__ import annotations

import pytest
import torch

from model.losses import mask_loss
from vividmed_viewer.core.errors import ModelError


def ball_target() -> torch.Tensor:
    z, y, x = torch.meshgrid(
        torch.arange(8.0), torch.arange(32.0), torch.arange(32.0), indexing="ij"
    )
    ball = ((z - 4) / 3) ** 2 + ((y - 16) / 10) ** 2 + ((x - 14) / 8) ** 2 <= 1
    return torch.stack([ball, torch.zeros_like(ball)]).float()  # one present, one negative


def test_perfect_prediction_costs_almost_nothing() -> None:
    target = ball_target()
    logits = torch.where(target > 0, 20.0, -20.0)
    assert mask_loss(logits, target).item() < 1e-4
    assert mask_loss(logits[None], target[None]).item() < 1e-4


def test_empty_target_is_a_valid_negative() -> None:
    empty = torch.zeros(1, 8, 32, 32)
    assert mask_loss(torch.full_like(empty, -20.0), empty).item() < 1e-4
    assert mask_loss(torch.full_like(empty, 2.0), empty).item() > 1.0


def test_wrong_prediction_costs_more_and_has_gradients() -> None:
    target = ball_target()
    logits = torch.zeros_like(target, requires_grad=True)
    loss = mask_loss(logits, target)
    flipped = mask_loss(torch.where(target > 0, -20.0, 20.0), target)
    assert 0.5 < loss.item() < flipped.item()
    loss.backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0


def test_shape_errors_are_reported() -> None:
    with pytest.raises(ModelError, match=r"logits \[1, 4, 4, 4\] and targets \[1, 4, 4, 3\]"):
        mask_loss(torch.zeros(1, 4, 4, 4), torch.zeros(1, 4, 4, 3))
    with pytest.raises(ModelError, match="got 3D"):
        mask_loss(torch.zeros(4, 4, 4), torch.zeros(4, 4, 4))
