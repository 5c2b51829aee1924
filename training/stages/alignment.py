"""Stage 0: the localization models learn to answer a text prompt (a target's name).

Prompts are the sentence embeddings of target names (all-MiniLM-L6-v2) through a trained
Linear to ``d_loc``; only the two localization models and that Linear are trained.
Images in a micro-batch may differ in shape (2D radiographs and 3D volumes mixed), so
each sample runs on its own and the losses are averaged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from training.stages.text_prompts import PromptTable


@dataclass
class AlignmentSample:
    """One image with its targets, already on the model grid.

    ``image01`` is [1, D, H, W] in [0, 1]; ``mask_targets`` index the prompt table and
    ``masks`` [Km, D, H, W] hold their masks (all-zero: the target is absent);
    ``box_targets`` index the table and ``boxes`` hold one [M, 6] tensor of normalized
    centre-size boxes per target (M = 0: absent).
    """

    image01: torch.Tensor
    mask_targets: torch.Tensor
    masks: torch.Tensor
    box_targets: torch.Tensor
    boxes: list[torch.Tensor] = field(default_factory=list)


def collate_alignment(samples: list[AlignmentSample]) -> dict[str, Any]:
    """A micro-batch as lists (shapes differ between samples)."""
    return {"samples": list(samples)}


class AlignmentModel(nn.Module):
    """The two localization models prompted by projected sentence embeddings."""

    def __init__(self, semantic: nn.Module, instance: nn.Module, prompts: PromptTable) -> None:
        super().__init__()
        self.semantic = semantic
        self.instance = instance
        self.prompts = prompts

    def forward(self, samples: list[AlignmentSample]) -> dict[str, torch.Tensor]:
        """Mean mask loss (Dice×2 + focal×2) plus mean box loss (L1×5 + GIoU×2 + focal×2)."""
        from model.losses import instance_loss, mask_loss

        device = self.prompts.projection.weight.device
        mask_losses: list[torch.Tensor] = []
        box_losses: list[torch.Tensor] = []
        for sample in samples:
            image = sample.image01.to(device).unsqueeze(0)
            if len(sample.mask_targets):
                prompts = self.prompts(sample.mask_targets.to(device)).unsqueeze(0)
                logits = self.semantic(image, prompts)[0]
                mask_losses.append(mask_loss(logits, sample.masks.to(device, logits.dtype)))
            if len(sample.box_targets):
                prompts = self.prompts(sample.box_targets.to(device)).unsqueeze(0)
                output = self.instance(image, prompts)
                targets = [boxes.to(device) for boxes in sample.boxes]
                box_losses.append(instance_loss(output.boxes[0], output.logits[0], targets).total)
        zero = self.prompts.projection.weight.sum() * 0.0
        mask_term = torch.stack(mask_losses).mean() if mask_losses else zero
        box_term = torch.stack(box_losses).mean() if box_losses else zero
        result = {"loss": mask_term + box_term}
        if mask_losses:
            result["mask_loss"] = mask_term.detach()
        if box_losses:
            result["box_loss"] = box_term.detach()
        return result
