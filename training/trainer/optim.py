"""AdamW with decoupled weight decay (none on biases and norms) and a warmup + cosine schedule."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import torch

from training.recipes import OptimizerSettings, StageSettings

#: Parameter-name prefixes of the two localization models (held still by ``hold_localization``).
LOCALIZATION_PREFIXES = ("semantic.", "instance.")


def is_localization(name: str) -> bool:
    return name.startswith(LOCALIZATION_PREFIXES)


def parameter_groups(
    named_parameters: Iterable[tuple[str, torch.nn.Parameter]],
    weight_decay: float,
    lr: float = 1e-3,
    lr_scales: Mapping[str, float] | None = None,
) -> list[dict[str, object]]:
    """Trainable parameters split into decayed (matrices) and undecayed (biases, norms,
    embeddings), separately for the localization models (a group's ``localization`` flag) and
    for each key of ``lr_scales`` found in a parameter's name (whose groups run at
    ``lr × scale``); groups with
    no parameters are left out."""
    scales = dict(lr_scales or {})
    groups: dict[tuple[bool, str, bool], list[torch.nn.Parameter]] = {}
    for name, parameter in named_parameters:
        if not parameter.requires_grad:
            continue
        lowered = name.lower()
        # embeddings are not decayed: rows a stage does not train must stay exactly as they are
        decayed = not (
            parameter.ndim < 2
            or lowered.endswith(".bias")
            or "norm" in lowered
            or "embed" in lowered
        )
        prefix = next((p for p in scales if p in name), "")
        groups.setdefault((is_localization(name), prefix, decayed), []).append(parameter)
    return [
        {
            "params": params,
            "weight_decay": weight_decay if decayed else 0.0,
            "lr": lr * scales.get(prefix, 1.0),
            "localization": localization,
        }
        for (localization, prefix, decayed), params in sorted(
            groups.items(), key=lambda g: (g[0][0], g[0][1], not g[0][2])
        )
    ]


def build_optimizer(
    named_parameters: Iterable[tuple[str, torch.nn.Parameter]],
    stage: StageSettings,
    settings: OptimizerSettings,
) -> torch.optim.AdamW:
    """AdamW(β1, β2, ε) at the stage's peak learning rate (× ``stage.lr_scales`` by prefix)."""
    groups = parameter_groups(named_parameters, settings.weight_decay, stage.lr, stage.lr_scales)
    return torch.optim.AdamW(
        groups,
        lr=stage.lr,
        betas=(settings.beta1, settings.beta2),
        eps=settings.eps,
    )


def cosine_factor(step: int, total_steps: int, warmup_steps: int, min_ratio: float = 0.0) -> float:
    """The learning-rate multiplier at ``step``: linear warmup, then cosine decay to ``min_ratio``."""
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    decay_steps = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / decay_steps)
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


class CosineWarmupSchedule:
    """A picklable learning-rate lambda, so the scheduler's state saves without code."""

    def __init__(self, total_steps: int, warmup_steps: int, min_ratio: float) -> None:
        self.total_steps = total_steps
        self.warmup_steps = warmup_steps
        self.min_ratio = min_ratio

    def __call__(self, step: int) -> float:
        return cosine_factor(step, self.total_steps, self.warmup_steps, self.min_ratio)


class HeldSchedule:
    """Zero for the first ``hold_steps``, then a fresh warmup + cosine over the remaining steps."""

    def __init__(self, total_steps: int, warmup_steps: int, min_ratio: float, hold_steps: int):
        self.hold_steps = hold_steps
        self.after = CosineWarmupSchedule(max(1, total_steps - hold_steps), warmup_steps, min_ratio)

    def __call__(self, step: int) -> float:
        if step < self.hold_steps:
            return 0.0
        return self.after(step - self.hold_steps)


def build_scheduler(
    optimizer: torch.optim.Optimizer, stage: StageSettings
) -> torch.optim.lr_scheduler.LambdaLR:
    """Warmup for ``stage.warmup`` steps, then cosine decay over the rest of ``stage.steps``;
    localization groups wait ``stage.hold_localization`` steps first."""
    schedule = CosineWarmupSchedule(stage.steps, stage.warmup, stage.min_lr_ratio)
    if stage.hold_localization <= 0:
        return torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    held = HeldSchedule(stage.steps, stage.warmup, stage.min_lr_ratio, stage.hold_localization)
    lambdas: list[Callable[[int], float]] = [
        held if group.get("localization") else schedule for group in optimizer.param_groups
    ]
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambdas)
