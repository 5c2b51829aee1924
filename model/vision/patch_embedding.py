"""Conv3d patch embedding whose depth kernel is sum-pooled at run time to ``P'd``."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from model.vision.patch_rule import depth_patch_size


class AdaptivePatchEmbedding(nn.Module):
    """A ``patch × patch × patch`` Conv3d; along depth the kernel is summed to ``P'd``.

    A 2D image (depth 1) therefore uses the same weights as a 3D volume: its kernel is the
    sum of all 16 depth slices of the full kernel. Inputs not divisible by the patch are
    zero-padded at the far end of each axis.
    """

    def __init__(
        self, in_channels: int, hidden_size: int, patch_size: int = 16, threshold: int = 4
    ) -> None:
        super().__init__()
        self.patch_size = patch_size
        self.threshold = threshold
        self.projection = nn.Conv3d(
            in_channels, hidden_size, kernel_size=patch_size, stride=patch_size
        )

    def depth_patch(self, depth_voxels: int) -> int:
        """``P'd`` for an input with ``depth_voxels`` slices."""
        return depth_patch_size(depth_voxels, self.threshold, maximum=self.patch_size)

    def pooled_kernel(self, depth_patch: int) -> torch.Tensor:
        """The kernel summed along depth in ``patch / P'd`` groups: [out, in, P'd, p, p]."""
        weight = self.projection.weight
        out_channels, in_channels, full_depth, height, width = weight.shape
        group = full_depth // depth_patch
        return weight.reshape(out_channels, in_channels, depth_patch, group, height, width).sum(
            dim=3
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """[B, C, D, H, W] → token grid [B, hidden, d, h, w]."""
        depth_patch = self.depth_patch(images.shape[2])
        pad_d = -images.shape[2] % depth_patch
        pad_h = -images.shape[3] % self.patch_size
        pad_w = -images.shape[4] % self.patch_size
        if pad_d or pad_h or pad_w:
            images = F.pad(images, (0, pad_w, 0, pad_h, 0, pad_d))
        stride = (depth_patch, self.patch_size, self.patch_size)
        return F.conv3d(images, self.pooled_kernel(depth_patch), self.projection.bias, stride)
