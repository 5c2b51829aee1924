"""Two-way transformer decoder: prompt tokens and image tokens attend to each other."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class DownsampledAttention(nn.Module):
    """Multi-head attention whose internal width is ``width / downsample``."""

    def __init__(self, width: int, num_heads: int, downsample: int = 1) -> None:
        super().__init__()
        inner = width // downsample
        if inner % num_heads:
            raise ValueError(f"attention width {inner} is not divisible by {num_heads} heads")
        self.num_heads = num_heads
        self.query = nn.Linear(width, inner)
        self.key = nn.Linear(width, inner)
        self.value = nn.Linear(width, inner)
        self.output = nn.Linear(inner, width)

    def _heads(self, tokens: torch.Tensor) -> torch.Tensor:
        batch, length, inner = tokens.shape
        return tokens.reshape(batch, length, self.num_heads, inner // self.num_heads).transpose(
            1, 2
        )

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        attended = F.scaled_dot_product_attention(
            self._heads(self.query(query)),
            self._heads(self.key(key)),
            self._heads(self.value(value)),
        )
        batch, _, length, _ = attended.shape
        return self.output(attended.transpose(1, 2).reshape(batch, length, -1))


class TwoWayBlock(nn.Module):
    """Token self-attention, token→image attention, token MLP, image→token attention."""

    def __init__(
        self, width: int, num_heads: int, mlp_dim: int, position_in_self_attention: bool = True
    ) -> None:
        super().__init__()
        # The first block's tokens *are* their positions: adding them again would double them.
        self.position_in_self_attention = position_in_self_attention
        self.self_attention = DownsampledAttention(width, num_heads)
        self.self_norm = nn.LayerNorm(width)
        self.token_to_image = DownsampledAttention(width, num_heads, downsample=2)
        self.token_to_image_norm = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, width))
        self.mlp_norm = nn.LayerNorm(width)
        self.image_to_token = DownsampledAttention(width, num_heads, downsample=2)
        self.image_to_token_norm = nn.LayerNorm(width)

    def forward(
        self,
        tokens: torch.Tensor,
        image: torch.Tensor,
        token_position: torch.Tensor,
        image_position: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        query = tokens + token_position if self.position_in_self_attention else tokens
        tokens = self.self_norm(tokens + self.self_attention(query, query, tokens))
        query = tokens + token_position
        keys = image + image_position
        tokens = self.token_to_image_norm(tokens + self.token_to_image(query, keys, image))
        tokens = self.mlp_norm(tokens + self.mlp(tokens))
        query = tokens + token_position
        image = self.image_to_token_norm(image + self.image_to_token(keys, query, tokens))
        return tokens, image


class TwoWayTransformer(nn.Module):
    """``depth`` two-way blocks then a final token→image attention."""

    def __init__(self, width: int, depth: int, num_heads: int, mlp_dim: int) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            TwoWayBlock(width, num_heads, mlp_dim, position_in_self_attention=index > 0)
            for index in range(depth)
        )
        self.final_attention = DownsampledAttention(width, num_heads, downsample=2)
        self.final_norm = nn.LayerNorm(width)

    def forward(
        self, image: torch.Tensor, image_position: torch.Tensor, tokens: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """image [B, N, c], image_position [N, c] or [B, N, c], tokens [B, T, c] → both updated."""
        token_position = tokens
        for block in self.blocks:
            tokens, image = block(tokens, image, token_position, image_position)
        query = tokens + token_position
        keys = image + image_position
        tokens = self.final_norm(tokens + self.final_attention(query, keys, image))
        return tokens, image
