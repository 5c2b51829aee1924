"""Localization losses of a batch's phrases: semantic masks and instance boxes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from model.localization import InstanceLocalizer, SemanticLocalizer
from model.losses import instance_loss, mask_loss
from model.text.sample import PhraseTarget
from vividmed_viewer.core.errors import ModelError


@dataclass
class GroundingLoss:
    """Mean mask loss over rows with mask phrases; box loss over all box phrases; prompt loss
    over phrases whose target carries a teacher prompt (zero without any)."""

    mask: torch.Tensor
    boxes: torch.Tensor
    prompt: torch.Tensor


def prompt_distillation_loss(
    prompts: torch.Tensor, teachers: torch.Tensor, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """Weighted mean squared error of phrase prompts [P, d] to teacher prompts [P, d], relative
    to the teachers' mean square (scale-free: 1.0 for an all-zero prediction)."""
    scale = teachers.detach().pow(2).mean().clamp(min=1e-8)
    per_phrase = (prompts - teachers.detach()).pow(2).mean(dim=-1) / scale
    if weights is None:
        weights = torch.ones_like(per_phrase)
    loss: torch.Tensor = (per_phrase * weights).mean()
    return loss


def grounding_loss(
    semantic: SemanticLocalizer,
    instance: InstanceLocalizer,
    images01: Sequence[torch.Tensor],
    prompts_per_row: Sequence[torch.Tensor],
    targets_per_row: Sequence[Sequence[PhraseTarget]],
) -> GroundingLoss:
    """Run each row's prompts through the localizer their targets ask for and score them.

    ``images01[b]`` is [1, D, H, W]; ``prompts_per_row[b]`` is [K_b, d_loc] in phrase order.
    """
    zero = images01[0].new_zeros(()) if len(images01) else torch.zeros(())
    for prompts in prompts_per_row:  # keep vg_proj in the graph even without targets
        zero = zero + prompts.sum() * 0.0
    mask_losses: list[torch.Tensor] = []
    box_boxes: list[torch.Tensor] = []
    box_logits: list[torch.Tensor] = []
    box_targets: list[torch.Tensor] = []
    taught: list[torch.Tensor] = []
    teachers: list[torch.Tensor] = []
    teacher_weights: list[float] = []
    for row, (prompts, targets) in enumerate(zip(prompts_per_row, targets_per_row, strict=True)):
        if len(targets) != prompts.shape[0]:
            raise ModelError(
                f"row {row}: {prompts.shape[0]} tagged phrases but {len(targets)} targets"
            )
        for number, target in enumerate(targets):
            if target.prompt is not None:
                taught.append(prompts[number])
                teachers.append(target.prompt.to(prompts))
                teacher_weights.append(float(target.prompt_weight))
        image = images01[row][None]
        mask_rows = [i for i, t in enumerate(targets) if t.kind == "mask"]
        box_rows = [i for i, t in enumerate(targets) if t.kind == "boxes"]
        if mask_rows:
            logits = semantic(image, prompts[mask_rows][None])[0]
            truth = torch.stack([targets[i].mask for i in mask_rows])  # type: ignore[misc]
            if truth.shape != logits.shape:
                raise ModelError(
                    f"row {row}: mask targets {list(truth.shape[1:])} are not on the "
                    f"localization grid {list(logits.shape[1:])}"
                )
            mask_losses.append(mask_loss(logits, truth.to(logits)))
        if box_rows:
            output = instance(image, prompts[box_rows][None])
            box_boxes.append(output.boxes[0])
            box_logits.append(output.logits[0])
            box_targets += [targets[i].boxes for i in box_rows]  # type: ignore[misc]
    masks = torch.stack(mask_losses).mean() if mask_losses else zero
    if box_boxes:
        boxes = instance_loss(torch.cat(box_boxes), torch.cat(box_logits), box_targets).total
    else:
        boxes = zero
    prompt = (
        prompt_distillation_loss(
            torch.stack(taught),
            torch.stack(teachers),
            torch.tensor(teacher_weights, device=taught[0].device, dtype=taught[0].dtype),
        )
        if taught
        else zero
    )
    return GroundingLoss(mask=masks, boxes=boxes, prompt=prompt)
