"""Set which parameters a stage trains (TRAINING.md's table), adding LoRA where it asks.

LoRA (rank-stabilized, via peft) goes on every Linear projection of the language model's
blocks. Of the token embedding only the added tags' rows are trained: the small
``added_rows`` parameter (see :mod:`model.modeling.token_rows`), which a tied output head
shares, so "lm_head" of a tied backbone is those rows too; an untied head is trained whole.
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
    from model.modeling.vividmed import added_token_ids

    return added_token_ids(model.config)


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


def configure_trainable(
    model: Any, spec: StageSpec, recipe: Recipe, train_vision: bool = False
) -> TrainableSummary:
    """Freeze the model, then unfreeze the parts ``spec`` trains; returns what is trained."""
    from model.modeling.token_rows import added_rows, head_is_tied

    if spec.uses_lora:
        ensure_lora(model, recipe)
    model.requires_grad_(False)
    language = model.language_model
    rows_parameter = added_rows(language)
    tied = head_is_tied(language)
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
    if Part.LM_HEAD in spec.trained and not tied:
        language.get_output_embeddings().weight.requires_grad_(True)
    if Part.NEW_TOKEN_ROWS in spec.trained or (Part.LM_HEAD in spec.trained and tied):
        summary.new_token_rows = new_token_ids(model)
        if rows_parameter is not None:
            rows_parameter.requires_grad_(True)
    for name, parameter in model.named_parameters():
        summary.total_parameters += parameter.numel()
        if parameter.requires_grad:
            summary.names.append(name)
            summary.trained_parameters += parameter.numel()
    logger.info("stage %d: %s", spec.number, summary.describe())
    return summary
