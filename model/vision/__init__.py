"""The vision encoder: adaptive-depth-patch 3D ViT, learned position grid, token pooling."""

from model.vision.encoder import VisionEncoder
from model.vision.patch_rule import (
    depth_patch_size,
    depth_pool_size,
    padded_depth,
    pooled_token_count,
    pooled_token_grid,
    token_grid,
)
from model.vision.transformer import VisionTransformer

__all__ = [
    "VisionEncoder",
    "VisionTransformer",
    "depth_patch_size",
    "depth_pool_size",
    "padded_depth",
    "pooled_token_count",
    "pooled_token_grid",
    "token_grid",
]
