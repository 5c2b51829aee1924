"""2× transposed-conv upsampling whose depth factor adapts to the depth patch."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class DepthAdaptiveUpsample(nn.Module):
    """A 2×2×2 transposed conv; where depth must not grow its kernel is averaged along depth.

    Averaging the two depth taps gives a 1×2×2 kernel from the same weights, so 2D and 3D
    inputs share parameters (the decoder's twin of the patch-embedding trick).
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.deconvolution = nn.ConvTranspose3d(in_channels, out_channels, kernel_size=2, stride=2)

    def forward(self, features: torch.Tensor, upsample_depth: bool) -> torch.Tensor:
        if upsample_depth:
            return self.deconvolution(features)
        weight = self.deconvolution.weight.mean(dim=2, keepdim=True)
        return F.conv_transpose3d(features, weight, self.deconvolution.bias, stride=(1, 2, 2))


class ChannelLayerNorm(nn.Module):
    """LayerNorm over the channel axis of a [B, C, D, H, W] tensor."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels, eps=1e-6)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.norm(features.movedim(1, -1)).movedim(-1, 1)


class FeatureUpsampler(nn.Module):
    """Two 2× stages: c → c/4 → c/8 channels, in-plane ×4, depth ×(up to 4, never past P'd)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.first = DepthAdaptiveUpsample(channels, channels // 4)
        self.norm = ChannelLayerNorm(channels // 4)
        self.second = DepthAdaptiveUpsample(channels // 4, channels // 8)

    @staticmethod
    def depth_factors(depth_patch: int) -> tuple[bool, bool]:
        """Whether each stage doubles depth: only while the result stays ≤ 1 voxel per row."""
        return depth_patch >= 2, depth_patch >= 4

    def forward(self, features: torch.Tensor, depth_patch: int) -> torch.Tensor:
        first_depth, second_depth = self.depth_factors(depth_patch)
        features = F.gelu(self.norm(self.first(features, first_depth)))
        return F.gelu(self.second(features, second_depth))
