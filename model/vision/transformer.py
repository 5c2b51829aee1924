"""The 3D Vision Transformer shared by the language branch and both localization models."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from model.parts_config import VisionConfig
from model.vision.blocks import TransformerBlock
from model.vision.patch_embedding import AdaptivePatchEmbedding
from model.vision.position_grid import LearnedPositionGrid
from vividmed_viewer.core.errors import ModelError


class VisionTransformer(nn.Module):
    """Adaptive-patch ViT: [B, C, D, H, W] → token grid [B, d, h, w, hidden] (CLS dropped)."""

    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.config = config
        self.patch_embedding = AdaptivePatchEmbedding(
            config.in_channels, config.hidden_size, config.patch_size, config.depth_token_threshold
        )
        self.position = LearnedPositionGrid(config.hidden_size, config.position_grid)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, config.hidden_size))
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        self.blocks = nn.ModuleList(
            TransformerBlock(config.hidden_size, config.num_heads, config.mlp_ratio)
            for _ in range(config.depth)
        )
        self.final_norm = nn.LayerNorm(config.hidden_size, eps=1e-6)
        # Recompute block activations in backward (saves memory when training large ViTs).
        self.gradient_checkpointing = False
        self.apply(initialize_vit_weights)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Encode ``images`` [B, C, D, H, W] into a token grid [B, d, h, w, hidden]."""
        if images.ndim != 5 or images.shape[1] != self.config.in_channels:
            raise ModelError(
                f"vision encoder expects [B, {self.config.in_channels}, D, H, W], "
                f"got {list(images.shape)}"
            )
        grid = self.patch_embedding(images)
        batch, width, d, h, w = grid.shape
        grid = grid + self.position.resampled((d, h, w))
        patches = grid.flatten(2).transpose(1, 2)
        cls = (self.cls_token + self.position.cls_embedding).expand(batch, -1, -1)
        tokens = torch.cat([cls, patches], dim=1)
        for block in self.blocks:
            if self.gradient_checkpointing and self.training and torch.is_grad_enabled():
                tokens = checkpoint(block, tokens, use_reentrant=False)
            else:
                tokens = block(tokens)
        tokens = self.final_norm(tokens)[:, 1:]
        return tokens.reshape(batch, d, h, w, width)


def initialize_vit_weights(module: nn.Module) -> None:
    """ViT initialization: truncated-normal (std 0.02) linear weights, zero biases."""
    if isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.LayerNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)
