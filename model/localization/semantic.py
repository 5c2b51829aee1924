"""Semantic localization: one mask logit map per phrase prompt."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from model.localization.prompt_decoder import PromptedLocalizer
from model.localization.upsampling import FeatureUpsampler
from model.parts_config import LocalizationConfig


class SemanticLocalizer(PromptedLocalizer):
    """Mask token → hypernetwork MLP · upsampled features, plus a text-similarity term.

    ``forward(image01 [B, 1, D, H, W], prompts [B, K, d_loc])`` → logits [B, K, D, H, W] on
    the input grid.
    """

    def __init__(self, config: LocalizationConfig) -> None:
        super().__init__(config)
        width = config.hidden_size
        self.mask_token = nn.Parameter(torch.zeros(1, width))
        nn.init.normal_(self.mask_token, std=0.02)
        self.upsampler = FeatureUpsampler(width)
        self.hypernetwork = nn.Sequential(
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Linear(width, width // 8),
        )
        self.text_similarity = nn.Linear(config.prompt_dim, width // 8)

    def forward(
        self,
        image01: torch.Tensor,
        prompts: torch.Tensor,
        image_embedding: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Mask logits [B, K, D, H, W]; pass ``image_embedding`` to reuse one encoding."""
        embedding = self._check_inputs(image01, prompts, image_embedding)
        batch, count = prompts.shape[:2]
        depth, height, width = image01.shape[2:]
        if count == 0:
            return image01.new_zeros(batch, 0, depth, height, width)
        tokens, features = self.decode(embedding, prompts, self.mask_token)
        upsampled = self.upsampler(features, self.depth_patch(depth))
        # (hypernetwork(mask token) + Linear(prompt)) · features = the two terms' sum.
        weights = self.hypernetwork(tokens[:, 0]) + self.text_similarity(
            prompts.reshape(batch * count, -1)
        )
        logits = torch.einsum("nc,ncdhw->ndhw", weights, upsampled).unsqueeze(1)
        # The token grid covers the input padded to whole patches: upsample to that, then crop.
        patch, depth_patch = self.config.patch_size, self.depth_patch(depth)
        padded = (
            math.ceil(depth / depth_patch) * depth_patch,
            math.ceil(height / patch) * patch,
            math.ceil(width / patch) * patch,
        )
        logits = F.interpolate(logits, size=padded, mode="trilinear", align_corners=False)
        logits = logits[:, 0, :depth, :height, :width]
        return logits.reshape(batch, count, depth, height, width)
