"""LoRA adapters on the language model (peft), recorded in the config so checkpoints reload."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import torch

DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class WithLanguageModel(Protocol):
    """A VividMed model as LoRA sees it (a protocol, so this module imports no model class)."""

    @property
    def language_model(self) -> torch.nn.Module: ...

    @property
    def config(self) -> Any: ...


def apply_lora(
    model: WithLanguageModel,
    r: int = 64,
    alpha: int = 8,
    dropout: float = 0.05,
    target_modules: Sequence[str] = DEFAULT_TARGETS,
    use_rslora: bool = True,
) -> None:
    """Inject rank-stabilized LoRA layers into ``model.language_model`` (in place)."""
    from peft import LoraConfig, inject_adapter_in_model

    settings = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(target_modules),
        use_rslora=use_rslora,
    )
    inject_adapter_in_model(settings, model.language_model)
    model.config.lora = {
        "r": r,
        "alpha": alpha,
        "dropout": dropout,
        "target_modules": list(target_modules),
        "use_rslora": use_rslora,
    }
