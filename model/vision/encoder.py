"""The language branch's vision encoder: ViT then a (pool_z, 2, 2) max-pool, flattened."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from model.parts_config import VisionConfig
from model.vision.patch_rule import depth_pool_size, pooled_token_count, pooled_token_grid
from model.vision.transformer import VisionTransformer


class VisionEncoder(nn.Module):
    """pixel_values [B, 3, D, H, W] → vision tokens [B, N, hidden]."""

    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.config = config
        self.transformer = VisionTransformer(config)

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """Encode and pool; tokens are flattened in (d, h, w) order."""
        grid = self.transformer(pixel_values).permute(0, 4, 1, 2, 3)
        pool_z = depth_pool_size(grid.shape[2])
        pool = (pool_z, self.config.pool_in_plane, self.config.pool_in_plane)
        pooled = F.max_pool3d(grid, kernel_size=pool, stride=pool, ceil_mode=True)
        return pooled.flatten(2).transpose(1, 2)

    def num_tokens(self, shape_dhw: tuple[int, int, int]) -> int:
        """Number of tokens ``forward`` returns for an input of spatial shape ``shape_dhw``."""
        return pooled_token_count(
            shape_dhw,
            self.config.patch_size,
            self.config.depth_token_threshold,
            self.config.pool_in_plane,
        )

    def token_grid(self, shape_dhw: tuple[int, int, int]) -> tuple[int, int, int]:
        """Pooled token grid (d, h, w) for an input of spatial shape ``shape_dhw``."""
        return pooled_token_grid(
            shape_dhw,
            self.config.patch_size,
            self.config.depth_token_threshold,
            self.config.pool_in_plane,
        )
