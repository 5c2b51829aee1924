"""The optimizer and learning-rate schedule every stage shares."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from training.recipes import OptimizerSettings, StageSettings
from training.trainer.optim import build_optimizer, build_scheduler, cosine_factor
from training.trainer.sampling import BatchLayout, ResumableSampler


def test_warmup_rises_linearly_then_cosine_decays_to_zero() -> None:
    factors = [cosine_factor(step, 10, 4) for step in range(10)]
    assert factors[:4] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert all(a >= b for a, b in itertools.pairwise(factors[3:]))  # from the peak on
    assert cosine_factor(10, 10, 4) == pytest.approx(0.0)
    assert cosine_factor(7, 10, 4) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))
    assert cosine_factor(10, 10, 4, min_ratio=0.1) == pytest.approx(0.1)


def test_adamw_settings_and_no_decay_on_biases_and_norms() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4))
    model[0].bias.requires_grad_(False)
    stage = StageSettings(steps=10, lr=5e-5, warmup=2)
    optimizer = build_optimizer(model.named_parameters(), stage, OptimizerSettings())
    decayed, undecayed = optimizer.param_groups
    assert decayed["weight_decay"] == 0.01 and undecayed["weight_decay"] == 0.0
    assert [p.shape for p in decayed["params"]] == [torch.Size([4, 3])]
    assert len(undecayed["params"]) == 2  # the norm's weight and bias; the frozen bias is out
    assert decayed["betas"] == (0.9, 0.999) and decayed["eps"] == 1e-8
    scheduler = build_scheduler(optimizer, stage)
    seen = []
    for _ in range(4):
        seen.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert seen[:3] == pytest.approx([2.5e-5, 5e-5, 5e-5 * cosine_factor(2, 10, 2)])


def test_batch_layout_reaches_the_global_batch_with_accumulation() -> None:
    assert BatchLayout(128, 4, 8).accumulation_steps == 4
    assert BatchLayout(128, 4, 1).accumulation_steps == 32
    assert BatchLayout(10, 4, 1).effective_batch == 12


def test_sampler_resumes_in_the_same_order_and_splits_processes() -> None:
    layout = BatchLayout(global_batch=4, micro_batch=1, world_size=2)
    straight = ResumableSampler(7, layout, seed=3)
    order = [i for _, i in zip(range(40), iter(straight), strict=False)]
    resumed = ResumableSampler(7, layout, seed=3, start_step=5)
    assert [i for _, i in zip(range(10), iter(resumed), strict=False)] == order[10:20]
    other = ResumableSampler(7, layout, seed=3, rank=1)
    both = sorted(order[:2] + [i for _, i in zip(range(2), iter(other), strict=False)])
    assert both == sorted(straight.index_at(p) for p in range(4))
    assert sorted(straight.index_at(p) for p in range(7)) == list(range(7))


def test_held_localization_does_not_move_then_follows_its_own_warmup() -> None:
    model = torch.nn.ModuleDict(
        {"semantic": torch.nn.Linear(3, 3), "vg_proj": torch.nn.Linear(3, 3)}
    )
    stage = StageSettings(steps=10, lr=1e-2, warmup=2, hold_localization=4)
    optimizer = build_optimizer(model.named_parameters(), stage, OptimizerSettings())
    flags = [group["localization"] for group in optimizer.param_groups]
    assert flags == [False, False, True, True]  # decayed, then undecayed, of each
    scheduler = build_scheduler(optimizer, stage)
    held = model["semantic"].weight.detach().clone()
    localization_lrs = []
    for _ in range(6):
        localization_lrs.append(scheduler.get_last_lr()[2])
        model["semantic"](torch.ones(1, 3)).sum().backward()
        model["vg_proj"](torch.ones(1, 3)).sum().backward()
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()
        if len(localization_lrs) <= 4:
            assert torch.equal(model["semantic"].weight, held)  # no step, no weight decay
    assert localization_lrs == pytest.approx([0, 0, 0, 0, 5e-3, 1e-2])
    assert not torch.equal(model["semantic"].weight, held)


def test_hold_must_end_inside_the_stage() -> None:
    from training.recipes.recipe import _check_stage
    from vividmed_viewer.core.errors import TrainingError

    with pytest.raises(
        TrainingError, match=r"s1\.hold_localization must be in \[0, steps\), got 10"
    ):
        _check_stage(StageSettings(steps=10, lr=1e-3, hold_localization=10), "s1")


def test_lr_scales_give_a_part_its_own_learning_rate() -> None:
    model = torch.nn.ModuleDict({"vg_proj": torch.nn.Linear(3, 3), "other": torch.nn.Linear(3, 3)})
    stage = StageSettings(steps=10, lr=1e-4, lr_scales={"vg_proj.": 10.0})
    optimizer = build_optimizer(model.named_parameters(), stage, OptimizerSettings())
    by_lr = {id(p): group["lr"] for group in optimizer.param_groups for p in group["params"]}
    assert by_lr[id(model["vg_proj"].weight)] == pytest.approx(1e-3)
    assert by_lr[id(model["other"].weight)] == pytest.approx(1e-4)
    scheduler = build_scheduler(optimizer, stage)
    optimizer.step()
    scheduler.step()
    lrs = {id(p): g["lr"] for g in optimizer.param_groups for p in g["params"]}
    assert lrs[id(model["vg_proj"].weight)] == pytest.approx(10 * lrs[id(model["other"].weight)])
