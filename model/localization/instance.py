"""Instance localization: DETR-like boxes with present/absent logits per phrase prompt."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from model.localization.prompt_decoder import PromptedLocalizer
from model.parts_config import LocalizationConfig


@dataclass
class InstanceOutput:
    """Boxes [B, K, Q, 6] (sigmoid, normalized centre-size cz, cy, cx, d, h, w) and logits [B, K, Q]."""

    boxes: torch.Tensor
    logits: torch.Tensor

    @property
    def probabilities(self) -> torch.Tensor:
        """Present probability of every query."""
        return torch.sigmoid(self.logits)


class InstanceLocalizer(PromptedLocalizer):
    """Q instance query tokens → a box and a present/absent logit each.

    For a 2D input (D = 1) the z extent is fixed to [0, 1] (cz = 0.5, d = 1).
    """

    def __init__(self, config: LocalizationConfig) -> None:
        super().__init__(config)
        width = config.hidden_size
        self.instance_queries = nn.Parameter(torch.zeros(config.num_instance_queries, width))
        nn.init.normal_(self.instance_queries, std=0.02)
        self.box_head = nn.Sequential(
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Linear(width, 6),
        )
        self.presence_head = nn.Linear(width, 1)

    def forward(
        self,
        image01: torch.Tensor,
        prompts: torch.Tensor,
        image_embedding: torch.Tensor | None = None,
    ) -> InstanceOutput:
        """Boxes and present/absent logits; pass ``image_embedding`` to reuse one encoding."""
        embedding = self._check_inputs(image01, prompts, image_embedding)
        batch, count = prompts.shape[:2]
        queries = self.config.num_instance_queries
        if count == 0:
            return InstanceOutput(
                image01.new_zeros(batch, 0, queries, 6), image01.new_zeros(batch, 0, queries)
            )
        tokens, _ = self.decode(embedding, prompts, self.instance_queries)
        query_states = tokens[:, :queries]
        boxes = torch.sigmoid(self.box_head(query_states))
        if image01.shape[2] == 1:
            fixed_z = boxes.new_tensor([0.5, 1.0])
            boxes = torch.cat(
                [
                    fixed_z[:1].expand_as(boxes[..., :1]),
                    boxes[..., 1:3],
                    fixed_z[1:].expand_as(boxes[..., :1]),
                    boxes[..., 4:6],
                ],
                dim=-1,
            )
        logits = self.presence_head(query_states).squeeze(-1)
        return InstanceOutput(
            boxes.reshape(batch, count, queries, 6), logits.reshape(batch, count, queries)
        )
