"""Pre-norm transformer blocks built on ``scaled_dot_product_attention``."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SelfAttention(nn.Module):
    """Multi-head self-attention (fused QKV projection, SDPA kernel)."""

    def __init__(self, hidden_size: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(hidden_size, 3 * hidden_size)
        self.output = nn.Linear(hidden_size, hidden_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        batch, length, width = tokens.shape
        qkv = self.qkv(tokens).reshape(batch, length, 3, self.num_heads, width // self.num_heads)
        query, key, value = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attended = F.scaled_dot_product_attention(query, key, value)
        return self.output(attended.transpose(1, 2).reshape(batch, length, width))


class FeedForward(nn.Module):
    """Two-layer GELU MLP."""

    def __init__(self, hidden_size: int, inner_size: int) -> None:
        super().__init__()
        self.up = nn.Linear(hidden_size, inner_size)
        self.down = nn.Linear(inner_size, hidden_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.down(F.gelu(self.up(tokens)))


class TransformerBlock(nn.Module):
    """Pre-norm ViT block: ``x + attn(norm(x))`` then ``x + mlp(norm(x))``."""

    def __init__(self, hidden_size: int, num_heads: int, mlp_ratio: float = 4.0) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(hidden_size, eps=1e-6)
        self.attention = SelfAttention(hidden_size, num_heads)
        self.mlp_norm = nn.LayerNorm(hidden_size, eps=1e-6)
        self.mlp = FeedForward(hidden_size, round(hidden_size * mlp_ratio))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        tokens = tokens + self.attention(self.attention_norm(tokens))
        return tokens + self.mlp(self.mlp_norm(tokens))
