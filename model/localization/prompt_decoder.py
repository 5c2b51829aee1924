"""What both localization models share: own ViT, prompt token, dense embedding, decoder."""

from __future__ import annotations

import torch
from torch import nn

from model.localization.fourier_position import RandomFourierPositionEncoding
from model.localization.two_way_transformer import TwoWayTransformer
from model.parts_config import LocalizationConfig
from model.vision.transformer import VisionTransformer
from vividmed_viewer.core.errors import ModelError


class PromptedLocalizer(nn.Module):
    """Image encoder + phrase-prompt two-way decoder; subclasses add their output heads.

    ``encode_image`` runs the ViT once so K phrase prompts can share one image encoding.
    """

    def __init__(self, config: LocalizationConfig) -> None:
        super().__init__()
        self.config = config
        width = config.hidden_size
        self.image_encoder = VisionTransformer(config.vision_config())
        self.prompt_projection = nn.Linear(config.prompt_dim, width)
        self.no_mask_embedding = nn.Embedding(1, width)
        self.position_encoding = RandomFourierPositionEncoding(width)
        self.decoder = TwoWayTransformer(
            width, config.decoder_depth, config.decoder_heads, config.decoder_mlp_dim
        )

    def encode_image(self, image01: torch.Tensor) -> torch.Tensor:
        """image01 [B, 1, D, H, W] in [0, 1] → image embedding [B, c, d, h, w]."""
        return self.image_encoder(image01).permute(0, 4, 1, 2, 3).contiguous()

    def depth_patch(self, depth_voxels: int) -> int:
        """The ViT's ``P'd`` for an input with ``depth_voxels`` slices."""
        return self.image_encoder.patch_embedding.depth_patch(depth_voxels)

    def _check_inputs(
        self, image01: torch.Tensor, prompts: torch.Tensor, image_embedding: torch.Tensor | None
    ) -> torch.Tensor:
        if image01.ndim != 5 or image01.shape[1] != self.config.in_channels:
            raise ModelError(
                f"localization expects image01 [B, {self.config.in_channels}, D, H, W], "
                f"got {list(image01.shape)}"
            )
        if prompts.ndim != 3 or prompts.shape[0] != image01.shape[0]:
            raise ModelError(
                f"prompts must be [B, K, {self.config.prompt_dim}] with B = "
                f"{image01.shape[0]}, got {list(prompts.shape)}"
            )
        if prompts.shape[2] != self.config.prompt_dim:
            raise ModelError(
                f"prompt size {prompts.shape[2]} does not match prompt_dim {self.config.prompt_dim}"
            )
        embedding = self.encode_image(image01) if image_embedding is None else image_embedding
        if embedding.ndim != 5 or embedding.shape[:2] != (
            image01.shape[0],
            self.config.hidden_size,
        ):
            raise ModelError(
                f"image_embedding must be [B, {self.config.hidden_size}, d, h, w] from "
                f"encode_image, got {list(embedding.shape)}"
            )
        return embedding

    def decode(
        self, image_embedding: torch.Tensor, prompts: torch.Tensor, output_tokens: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the two-way decoder for every (image, prompt) pair.

        Parameters
        ----------
        image_embedding:
            [B, c, d, h, w] from :meth:`encode_image`.
        prompts:
            [B, K, d_loc] phrase prompts.
        output_tokens:
            [T, c] learned output tokens placed before the prompt token.

        Returns
        -------
        tokens [B·K, T + 1, c] and image features [B·K, c, d, h, w] after decoding.
        """
        batch, width, d, h, w = image_embedding.shape
        count = prompts.shape[1]
        prompt_tokens = self.prompt_projection(prompts.reshape(batch * count, 1, -1))
        tokens = torch.cat(
            [output_tokens.unsqueeze(0).expand(batch * count, -1, -1), prompt_tokens], dim=1
        )
        dense = image_embedding + self.no_mask_embedding.weight.reshape(1, width, 1, 1, 1)
        image = dense.flatten(2).transpose(1, 2).repeat_interleave(count, dim=0)
        position = self.position_encoding((d, h, w)).to(image.dtype).unsqueeze(0)
        tokens, image = self.decoder(image, position, tokens)
        return tokens, image.transpose(1, 2).reshape(batch * count, width, d, h, w)
