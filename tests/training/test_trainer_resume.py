"""Checkpoints resume to the same state: N steps straight == k steps + resume + N−k steps."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from training.recipes import Recipe, load_recipe
from training.stages.build import build_task
from training.trainer.checkpoints import last_checkpoint, list_checkpoints
from training.trainer.loop import Trainer, TrainingInterrupted, make_accelerator
from training.trainer.metrics_log import read_metrics_csv
from vividmed_viewer.core.errors import TrainingError

STEPS = 4


def resume_recipe(tmp_path: Path) -> Recipe:
    recipe = load_recipe("tiny")
    stage = dataclasses.replace(
        recipe.stage(1), steps=STEPS, warmup=1, global_batch=2, micro_batch=1
    )
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


def run(
    recipe: Recipe, stage_dir: Path, max_steps: int | None = None, resume: bool = False
) -> None:
    task = build_task(1, recipe, None, stage_dir.parent)  # a fresh model, as a new process has
    Trainer(task, recipe, stage_dir, make_accelerator("cpu"), max_steps, show_progress=False).run(
        resume
    )


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stage folder of an uninterrupted run (shared: it depends on no test's paths)."""
    folder = tmp_path_factory.mktemp("straight")
    run(resume_recipe(folder), folder / "straight")
    return folder / "straight"


def test_resumed_run_matches_an_uninterrupted_one(tmp_path: Path, straight: Path) -> None:
    recipe = resume_recipe(tmp_path)
    resumed = tmp_path / "resumed"
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
    with pytest.raises(
        TrainingError, match="--resume was given but there is no complete checkpoint"
    ):
        run(recipe, tmp_path / "empty", resume=True)


class InterruptingCollate:
    """The stage's own collate, but Ctrl-C arrives while micro-batch ``at`` is being made."""

    def __init__(self, collate: Any, at: int) -> None:
        self.collate = collate
        self.at = at
        self.calls = 0

    def __call__(self, samples: list[Any]) -> dict[str, Any]:
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return self.collate(samples)


@pytest.mark.slow
def test_ctrl_c_saves_the_last_step_and_resume_continues_exactly(
    tmp_path: Path, straight: Path
) -> None:
    recipe = resume_recipe(tmp_path)
    interrupted = tmp_path / "interrupted"
    task = build_task(1, recipe, None, tmp_path)
    # two micro-batches per step: call 8 is the second half of step 4, after the
    # periodic checkpoint of step 2 and the finished step 3
    task.collate = InterruptingCollate(task.collate, at=8)
    trainer = Trainer(task, recipe, interrupted, make_accelerator("cpu"), show_progress=False)
    with pytest.raises(TrainingInterrupted) as caught:
        trainer.run()
    assert caught.value.step == 3
    assert caught.value.checkpoint == interrupted / f"checkpoint-{3:07d}"
    run(recipe, interrupted, resume=True)
    final_straight = last_checkpoint(straight)
    final_resumed = last_checkpoint(interrupted)
    assert final_straight is not None and final_resumed is not None
    weights_straight = load_file(str(final_straight / "trainable.safetensors"))
    weights_resumed = load_file(str(final_resumed / "trainable.safetensors"))
    for name, tensor in weights_straight.items():
        assert torch.equal(tensor, weights_resumed[name]), name
