"""A few optimizer steps of every stage lower its loss on a tiny model (real forward passes)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import torch

from training.recipes import Recipe, load_recipe
from training.stages.build import build_task
from training.trainer.loop import Trainer, make_accelerator
from training.trainer.metrics_log import read_metrics_csv


def small_recipe(tmp_path: Path, steps: int, lr: float) -> Recipe:
    recipe = load_recipe("tiny")
    stages = {
        n: dataclasses.replace(s, steps=steps, lr=lr, warmup=0, global_batch=2, micro_batch=1)
        for n, s in recipe.stages.items()
    }
    data = dataclasses.replace(recipe.data, train_cases=1)
    return dataclasses.replace(
        recipe, output_dir=str(tmp_path), stages=stages, data=data, checkpoint_every=100
    )


@torch.no_grad()
def loss_on(task: Any, batch: dict[str, Any]) -> dict[str, float]:
    task.model.eval()
    output = task.model(**batch)
    return {k: float(v) for k, v in output.items() if k.endswith("loss") and v is not None}


@pytest.mark.parametrize(
    ("stage", "steps", "lr"), [(0, 6, 3e-3), (1, 6, 3e-3), (2, 6, 3e-3), (3, 6, 3e-3)]
)
def test_a_few_steps_lower_the_stage_loss(
    tmp_path: Path, stage: int, steps: int, lr: float
) -> None:
    recipe = small_recipe(tmp_path, steps, lr)
    task = build_task(stage, recipe, None, tmp_path)
    batch = task.collate([task.dataset[i] for i in range(len(task.dataset))])
    before = loss_on(task, batch)
    frozen = {
        n: p.detach().clone() for n, p in task.model.named_parameters() if not p.requires_grad
    }
    result = Trainer(
        task, recipe, tmp_path / f"stage{stage}", make_accelerator("cpu"), show_progress=False
    ).run()
    after = loss_on(task, batch)
    assert result.step == steps
    assert after["loss"] < before["loss"], (before, after)
    if stage == 2:
        assert before["mask_loss"] == 0 and before["box_loss"] == 0
    elif stage in (1, 3):
        assert before["lm_loss"] > 0 and before["mask_loss"] + before["box_loss"] > 0
    # frozen parts did not move; the run left a model, a metrics log and a plot
    for name, parameter in task.model.named_parameters():
        if name in frozen:
            assert torch.equal(parameter, frozen[name]), name
    rows = read_metrics_csv(tmp_path / f"stage{stage}" / "metrics.csv")
    assert [r["step"] for r in rows] == list(range(1, steps + 1))
    assert result.plot_path is not None and result.plot_path.stat().st_size > 1000
    assert (result.export_dir / "model.safetensors").exists()
    assert (result.export_dir / "config.json").exists()
