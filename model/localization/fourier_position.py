"""Random-Fourier positional encoding of 3D grid positions (SAM's scheme, in 3D)."""

from __future__ import annotations

import math

import torch
from torch import nn


class RandomFourierPositionEncoding(nn.Module):
    """Encode normalized (z, y, x) positions with a fixed random Gaussian frequency matrix.

    ``features`` must be even: half are sines, half cosines. The frequency matrix is a
    persistent buffer so a saved model encodes positions exactly as it did in training.
    """

    def __init__(self, features: int, scale: float = 1.0) -> None:
        super().__init__()
        if features % 2:
            raise ValueError(f"positional features must be even, got {features}")
        self.register_buffer("frequencies", scale * torch.randn(3, features // 2))

    def encode(self, coordinates: torch.Tensor) -> torch.Tensor:
        """Coordinates in [0, 1] (..., 3) → encodings (..., features)."""
        frequencies: torch.Tensor = self.frequencies  # type: ignore[assignment]
        projected = (2.0 * coordinates - 1.0) @ frequencies.to(coordinates.dtype)
        projected = 2.0 * math.pi * projected
        return torch.cat([projected.sin(), projected.cos()], dim=-1)

    def forward(self, grid: tuple[int, int, int]) -> torch.Tensor:
        """Encodings of every voxel centre of a ``(d, h, w)`` grid: [d·h·w, features]."""
        frequencies: torch.Tensor = self.frequencies  # type: ignore[assignment]
        axes = [
            (torch.arange(size, device=frequencies.device, dtype=frequencies.dtype) + 0.5) / size
            for size in grid
        ]
        mesh = torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1)
        return self.encode(mesh.reshape(-1, 3))
