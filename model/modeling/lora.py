"""LoRA adapters on the language model (peft), recorded in the config so checkpoints reload."""

from __future__ import annotations

from collections.abc import Sequence

from model.modeling import VividMedForCausalLM

DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def apply_lora(
    model: VividMedForCausalLM,
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
