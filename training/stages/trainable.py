"""Set which parameters a stage trains (TRAINING.md's table), adding LoRA where it asks.

LoRA (rank-stabilized, via peft) goes on every Linear projection of the language model's
blocks. The token embedding is trained directly instead of through LoRA: its added
token rows only (a gradient mask), or all of it when it is tied to a trained lm_head.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import torch

from training.recipes import Recipe
from training.stages.spec import Part, StageSpec

logger = logging.getLogger(__name__)


@dataclass
class TrainableSummary:
    """What a stage trains: parameter names and counts."""

    names: list[str] = field(default_factory=list)
    trained_parameters: int = 0
    total_parameters: int = 0
    new_token_rows: list[int] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the log."""
        share = self.trained_parameters / max(1, self.total_parameters)
        return (
            f"{self.trained_parameters:,} of {self.total_parameters:,} parameters trained "
            f"({share:.1%}) in {len(self.names)} tensors"
        )


def new_token_ids(model: Any) -> list[int]:
    """Ids of the VividMed tags added to the tokenizer (the embedding rows stage 1/3 trains)."""
    from model.text import SPECIAL_TOKENS

    ids = model.config.special_token_ids or {}
    return sorted({int(ids[token]) for token in SPECIAL_TOKENS if token in ids})


def ensure_lora(model: Any, recipe: Recipe) -> None:
    """Add LoRA adapters unless the model (loaded from a checkpoint) already has them."""
    from model.modeling.lora import apply_lora

    wanted = recipe.lora
    existing = model.config.lora
    if existing:
        if (existing.get("r"), float(existing.get("alpha", 0))) != (wanted.r, float(wanted.alpha)):
            logger.warning(
                "the model already has LoRA r=%s alpha=%s; keeping them (recipe asks r=%s alpha=%s)",
                existing.get("r"),
                existing.get("alpha"),
                wanted.r,
                wanted.alpha,
            )
        return
    # peft takes a float alpha; model.modeling.lora annotates it as int
    alpha: Any = wanted.alpha
    apply_lora(model, r=wanted.r, alpha=alpha, dropout=wanted.dropout, use_rslora=True)


def _row_mask_hook(rows: list[int], size: int) -> Any:
    keep = torch.zeros(size, 1)
    keep[rows] = 1.0

    def hook(gradient: torch.Tensor) -> torch.Tensor:
        return gradient * keep.to(gradient.device, gradient.dtype)

    return hook


def configure_trainable(
    model: Any, spec: StageSpec, recipe: Recipe, train_vision: bool = False
) -> TrainableSummary:
    """Freeze the model, then unfreeze the parts ``spec`` trains; returns what is trained."""
    if spec.uses_lora:
        ensure_lora(model, recipe)
    model.requires_grad_(False)
    language = model.language_model
    embedding = language.get_input_embeddings().weight
    head = language.get_output_embeddings().weight
    tied = embedding is head
    summary = TrainableSummary()
    modules: list[torch.nn.Module] = []
    if Part.PROJECTOR in spec.trained:
        modules.append(model.projector)
    if Part.VG_PROJ in spec.trained:
        modules.append(model.vg_proj)
    if Part.LOCALIZATION in spec.trained:
        modules += [model.semantic, model.instance]
    if train_vision and spec.number != 0:
        modules.append(model.vision)
    for module in modules:
        module.requires_grad_(True)
    if Part.LORA in spec.trained:
        for name, parameter in language.named_parameters():
            if "lora_" in name:
                parameter.requires_grad_(True)
    if Part.LM_HEAD in spec.trained:
        head.requires_grad_(True)
    if Part.NEW_TOKEN_ROWS in spec.trained:
        rows = new_token_ids(model)
        summary.new_token_rows = rows
        embedding.requires_grad_(True)
        if tied and Part.LM_HEAD in spec.trained:
            logger.info("token embedding is tied to the trained lm_head: training all its rows")
        elif rows:
            embedding.register_hook(_row_mask_hook(rows, embedding.shape[0]))
    for name, parameter in model.named_parameters():
        summary.total_parameters += parameter.numel()
        if parameter.requires_grad:
            summary.names.append(name)
            summary.trained_parameters += parameter.numel()
    logger.info("stage %d: %s", spec.number, summary.describe())
    return summary
