"""Learned 3D position embeddings resampled trilinearly to each image's token grid."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class LearnedPositionGrid(nn.Module):
    """A learned ``hidden × D × H × W`` grid (8×32×32 in the paper) plus a CLS embedding."""

    def __init__(self, hidden_size: int, grid: tuple[int, int, int]) -> None:
        super().__init__()
        self.grid = tuple(grid)
        self.embedding = nn.Parameter(torch.zeros(1, hidden_size, *grid))
        self.cls_embedding = nn.Parameter(torch.zeros(1, 1, hidden_size))
        nn.init.trunc_normal_(self.embedding, std=0.02)
        nn.init.trunc_normal_(self.cls_embedding, std=0.02)

    def resampled(self, token_grid: tuple[int, int, int]) -> torch.Tensor:
        """Position embeddings for a ``(d, h, w)`` token grid: [1, hidden, d, h, w]."""
        if tuple(token_grid) == self.grid:
            return self.embedding
        return F.interpolate(
            self.embedding, size=tuple(token_grid), mode="trilinear", align_corners=False
        )
