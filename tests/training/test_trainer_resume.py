"""Checkpoints resume to the same state: N steps straight == k steps + resume + N−k steps."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from training.recipes import Recipe, load_recipe
from training.stages.build import build_task
from training.trainer.checkpoints import last_checkpoint, list_checkpoints
from training.trainer.loop import Trainer, make_accelerator
from training.trainer.metrics_log import read_metrics_csv
from vividmed_viewer.core.errors import TrainingError

STEPS = 4


def resume_recipe(tmp_path: Path) -> Recipe:
    recipe = load_recipe("tiny")
    stage = dataclasses.replace(recipe.stage(1), steps=STEPS, warmup=1, global_batch=2, micro_batch=1)
    return dataclasses.replace(
        recipe,
        output_dir=str(tmp_path),
        stages={1: stage},
        checkpoint_every=2,
        keep_checkpoints=5,
        # dropout draws from the RNG: resuming must restore it too
        lora=dataclasses.replace(recipe.lora, dropout=0.2),
        data=dataclasses.replace(recipe.data, train_cases=3, cache_dir=str(tmp_path / "cache")),
    )


def run(recipe: Recipe, stage_dir: Path, max_steps: int | None = None, resume: bool = False) -> None:
    task = build_task(1, recipe, None, stage_dir.parent)  # a fresh model, as a new process has
    Trainer(task, recipe, stage_dir, make_accelerator("cpu"), max_steps, show_progress=False).run(resume)


def test_resumed_run_matches_an_uninterrupted_one(tmp_path: Path) -> None:
    recipe = resume_recipe(tmp_path)
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    run(recipe, straight)
    run(recipe, resumed, max_steps=3)  # stops between checkpoints: a checkpoint at 3 is written
    assert [step for step, _ in list_checkpoints(resumed)] == [2, 3]
    run(recipe, resumed, resume=True)

    final_straight = last_checkpoint(straight)
    final_resumed = last_checkpoint(resumed)
    assert final_straight is not None and final_resumed is not None
    assert final_straight.name == final_resumed.name == f"checkpoint-{STEPS:07d}"
    weights_straight = load_file(str(final_straight / "trainable.safetensors"))
    weights_resumed = load_file(str(final_resumed / "trainable.safetensors"))
    assert weights_straight.keys() == weights_resumed.keys()
    assert any("lora_A" in name for name in weights_straight)
    for name, tensor in weights_straight.items():
        assert torch.equal(tensor, weights_resumed[name]), name
    losses_straight = [(r["step"], r["loss"]) for r in read_metrics_csv(straight / "metrics.csv")]
    losses_resumed = [(r["step"], r["loss"]) for r in read_metrics_csv(resumed / "metrics.csv")]
    assert losses_straight == losses_resumed
    exported = load_file(str(resumed / "final" / "model.safetensors"))
    assert exported.keys() == load_file(str(straight / "final" / "model.safetensors")).keys()


def test_resume_without_a_checkpoint_says_so(tmp_path: Path) -> None:
    recipe = resume_recipe(tmp_path)
    with pytest.raises(TrainingError, match="--resume was given but there is no complete checkpoint"):
        run(recipe, tmp_path / "empty", resume=True)
