"""``Trainer``: the optimization loop of one stage (accelerate, accumulation, clipping, checkpoints)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from training.recipes import Recipe
from training.trainer.accelerator import make_accelerator
from training.trainer.checkpoints import (
    checkpoint_path,
    last_checkpoint,
    load_trainable_state,
    prune_checkpoints,
    read_checkpoint,
    write_checkpoint,
)
from training.trainer.interrupts import TrainingInterrupted, interrupt_deferred
from training.trainer.metrics_log import MetricsLog
from training.trainer.optim import build_optimizer, build_scheduler
from training.trainer.sampling import BatchLayout, ResumableSampler
from training.trainer.state import TrainerState, capture_rng_state, restore_rng_state
from training.trainer.task import TrainingTask
from vividmed_viewer.core.errors import TrainingError

logger = logging.getLogger(__name__)

LOSS_NAMES = ("loss", "lm_loss", "mask_loss", "box_loss", "prompt_loss")
__all__ = ["Trainer", "TrainingInterrupted", "TrainingResult", "make_accelerator"]


@dataclass
class StepResult:
    """Mean losses, learning rate and gradient norm of one optimizer step."""

    losses: dict[str, float]
    lr: float
    grad_norm: float


@dataclass
class TrainingResult:
    """What a finished (or stopped) run reports."""

    stage: int
    step: int
    total_steps: int
    final_loss: float | None
    first_loss: float | None
    steps_per_second: float
    stage_dir: Path
    export_dir: Path
    plot_path: Path | None


class Trainer:
    """Runs one stage's schedule from its recipe; resumable from the last checkpoint.

    Ctrl-C between optimizer steps writes a checkpoint of the last finished step (with the
    random state at the start of the unfinished one) and raises ``TrainingInterrupted``, so
    ``--resume`` continues exactly where it stopped.
    """

    def __init__(
        self,
        task: TrainingTask,
        recipe: Recipe,
        stage_dir: Path,
        accelerator: Any,
        max_steps: int | None = None,
        show_progress: bool = True,
    ) -> None:
        self.task = task
        self.recipe = recipe
        self.settings = recipe.stage(task.stage)
        self.stage_dir = stage_dir
        self.accelerator = accelerator
        self.total_steps = self.settings.steps
        self.stop_step = self.total_steps if max_steps is None else min(max_steps, self.total_steps)
        self.show_progress = show_progress
        self.layout = BatchLayout(
            self.settings.global_batch, self.settings.micro_batch, accelerator.num_processes
        )
        if self.layout.effective_batch != self.settings.global_batch:
            logger.warning(
                "global batch %d is not a multiple of micro_batch×processes; using %d",
                self.settings.global_batch,
                self.layout.effective_batch,
            )

    def run(self, resume: bool = False) -> TrainingResult:
        """Train until ``max_steps`` (or the schedule's end), checkpointing along the way."""
        accelerator = self.accelerator
        task = self.task
        model = task.model
        trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        if not trainable:
            raise TrainingError(f"stage {task.stage}: the model has no trainable parameters")
        optimizer = build_optimizer(trainable, self.settings, self.recipe.optimizer)
        scheduler = build_scheduler(optimizer, self.settings)
        state = TrainerState(
            stage=task.stage,
            total_steps=self.total_steps,
            global_batch=self.layout.effective_batch,
            recipe=self.recipe.name,
            init=str(task.extras.get("init", "")),
        )
        rng: dict[str, Any] | None = None
        if resume:
            found = last_checkpoint(self.stage_dir)
            if found is None:
                raise TrainingError(
                    f"{self.stage_dir}: --resume was given but there is no complete checkpoint "
                    "of this stage there"
                )
            loaded = read_checkpoint(found, accelerator.process_index)
            if loaded.state.stage != task.stage:
                raise TrainingError(
                    f"{found}: the checkpoint is of stage {loaded.state.stage}, not {task.stage}"
                )
            load_trainable_state(model, found / "trainable.safetensors")
            optimizer.load_state_dict(loaded.optimizer)
            scheduler.load_state_dict(loaded.scheduler)
            if loaded.state.init != state.init:
                logger.warning(
                    "%s was trained from %s but this run starts from %s: the frozen parts "
                    "differ from the ones the checkpoint was made with",
                    found,
                    loaded.state.init or "a fresh model",
                    state.init or "a fresh model",
                )
            state = loaded.state
            state.init = str(task.extras.get("init", ""))
            state.total_steps = self.total_steps
            rng = loaded.rng
            logger.info("resuming stage %d from %s (step %d)", task.stage, found, state.step)
        elif self.stage_dir.exists() and last_checkpoint(self.stage_dir) is not None:
            logger.warning(
                "%s holds checkpoints; starting over (use --resume to continue)", self.stage_dir
            )

        prepared_model, optimizer = accelerator.prepare(model, optimizer)
        loader = self._loader(state.step)
        log = (
            MetricsLog(self.stage_dir, resume_step=state.step)
            if accelerator.is_main_process
            else None
        )
        if rng is not None:
            restore_rng_state(rng)
        first_loss, rate = self._loop(prepared_model, optimizer, scheduler, loader, state, log)
        if state.step % self.recipe.checkpoint_every != 0:
            self._checkpoint(prepared_model, optimizer, scheduler, state)
        export_dir = self.stage_dir / "final"
        plot_path = None
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            task.export(accelerator.unwrap_model(prepared_model), export_dir)
            state.save(export_dir / "trainer_state.json")
            assert log is not None
            plot_path = log.plot(f"stage {task.stage}: {task.description}")
            log.close()
        return TrainingResult(
            stage=task.stage,
            step=state.step,
            total_steps=self.total_steps,
            final_loss=state.last_loss,
            first_loss=first_loss,
            steps_per_second=rate,
            stage_dir=self.stage_dir,
            export_dir=export_dir,
            plot_path=plot_path,
        )

    def _loader(self, start_step: int) -> torch.utils.data.DataLoader[Any]:
        sampler = ResumableSampler(
            len(self.task.dataset),  # type: ignore[arg-type]
            self.layout,
            seed=self.recipe.seed,
            start_step=start_step,
            rank=self.accelerator.process_index,
        )
        workers = self.recipe.data.num_workers
        return torch.utils.data.DataLoader(
            self.task.dataset,
            batch_size=self.layout.micro_batch,
            sampler=sampler,
            collate_fn=self.task.collate,
            num_workers=workers,
            persistent_workers=workers > 0,
            # its own generator: creating the iterator must not draw from the global RNG,
            # or a resumed run would diverge from an uninterrupted one
            generator=torch.Generator().manual_seed(self.recipe.seed),
        )

    def _loop(
        self,
        model: torch.nn.Module,
        optimizer: Any,
        scheduler: torch.optim.lr_scheduler.LRScheduler,
        loader: torch.utils.data.DataLoader[Any],
        state: TrainerState,
        log: MetricsLog | None,
    ) -> tuple[float | None, float]:
        from tqdm.auto import tqdm

        accelerator = self.accelerator
        batches = iter(loader)
        progress = tqdm(
            total=self.stop_step,
            initial=state.step,
            desc=f"stage {self.task.stage}",
            disable=not (self.show_progress and accelerator.is_local_main_process),
            dynamic_ncols=True,
        )
        first_loss: float | None = None
        loop_started = started = window_start = time.perf_counter()
        start_step = saved_step = state.step
        while state.step < self.stop_step:
            step_rng = capture_rng_state()
            try:
                with interrupt_deferred() as pending:
                    result = self._step(model, optimizer, scheduler, batches, state, pending)
            except KeyboardInterrupt:
                progress.close()
                state.elapsed_s += time.perf_counter() - started
                raise self._interrupted(
                    model, optimizer, scheduler, state, step_rng, saved_step
                ) from None
            if any(pending):  # Ctrl-C came during the weight update: the step is finished
                progress.close()
                state.elapsed_s += time.perf_counter() - started
                raise self._interrupted(
                    model, optimizer, scheduler, state, capture_rng_state(), saved_step
                )
            first_loss = result.losses["loss"] if first_loss is None else first_loss
            progress.update(1)
            progress.set_postfix(loss=f"{result.losses['loss']:.4f}", lr=f"{result.lr:.2e}")
            now = time.perf_counter()
            if log is not None and (
                state.step % self.recipe.log_every == 0 or state.step == self.stop_step
            ):
                steps_in_window = state.step % self.recipe.log_every or self.recipe.log_every
                log.log(
                    state.step,
                    result.losses
                    | {
                        "lr": result.lr,
                        "grad_norm": result.grad_norm,
                        "steps_per_s": steps_in_window / max(now - window_start, 1e-9),
                        "elapsed_s": state.elapsed_s + now - started,
                    },
                )
                window_start = now
            if state.step % self.recipe.checkpoint_every == 0:
                state.elapsed_s += now - started
                started = now
                self._checkpoint(model, optimizer, scheduler, state)
                saved_step = state.step
        progress.close()
        ended = time.perf_counter()
        state.elapsed_s += ended - started
        done = state.step - start_step
        return first_loss, done / max(ended - loop_started, 1e-9)

    def _step(
        self,
        model: torch.nn.Module,
        optimizer: Any,
        scheduler: torch.optim.lr_scheduler.LRScheduler,
        batches: Iterator[Any],
        state: TrainerState,
        deferred: list[bool],
    ) -> StepResult:
        """One optimizer step over all micro-batches of the global batch.

        Ctrl-C interrupts the micro-batches; during the weight update it is only noted in
        ``deferred`` (weights and counters change together).
        """
        from accelerate.utils import send_to_device

        accelerator = self.accelerator
        accumulation = self.layout.accumulation_steps
        model.train()
        sums = dict.fromkeys(LOSS_NAMES, 0.0)
        counts = dict.fromkeys(LOSS_NAMES, 0)
        for micro in range(accumulation):
            batch = send_to_device(next(batches), accelerator.device)
            sync = micro == accumulation - 1
            with nullcontext() if sync else accelerator.no_sync(model):
                output = model(**batch)
                loss = _get(output, "loss")
                if loss is None:
                    raise TrainingError(f"stage {self.task.stage}: the model returned no loss")
                accelerator.backward(loss / accumulation)
            for name in LOSS_NAMES:
                value = _get(output, name)
                if value is not None:
                    sums[name] += float(value.detach())
                    counts[name] += 1
        mean = {n: sums[n] / counts[n] for n in LOSS_NAMES if counts[n]}
        mean = {n: _reduce_mean(accelerator, v) for n, v in mean.items()}
        if not math.isfinite(mean["loss"]):
            raise TrainingError(
                f"stage {self.task.stage}: the loss became {mean['loss']} at step "
                f"{state.step + 1}; lower the learning rate or check the data"
            )
        parameters = [p for p in model.parameters() if p.requires_grad]
        grad_norm = accelerator.clip_grad_norm_(parameters, self.recipe.optimizer.grad_clip)
        learning_rate = float(scheduler.get_last_lr()[0])
        deferred.append(False)  # from here on Ctrl-C waits for the update to finish
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        state.step += 1
        state.samples_seen += self.layout.effective_batch
        state.last_loss = mean["loss"]
        return StepResult(
            mean, learning_rate, float(grad_norm) if grad_norm is not None else math.nan
        )

    def _interrupted(
        self,
        model: torch.nn.Module,
        optimizer: Any,
        scheduler: torch.optim.lr_scheduler.LRScheduler,
        state: TrainerState,
        step_rng: dict[str, Any],
        saved_step: int,
    ) -> TrainingInterrupted:
        """Checkpoint the last finished step after Ctrl-C (unless it is saved already)."""
        if state.step == saved_step:
            return TrainingInterrupted(state.step, last_checkpoint(self.stage_dir))
        optimizer.zero_grad(set_to_none=True)
        directory = self._checkpoint(model, optimizer, scheduler, state, step_rng)
        return TrainingInterrupted(state.step, directory)

    def _checkpoint(
        self,
        model: torch.nn.Module,
        optimizer: Any,
        scheduler: torch.optim.lr_scheduler.LRScheduler,
        state: TrainerState,
        rng: dict[str, Any] | None = None,
    ) -> Path:
        """Write a checkpoint of ``state.step``; ``rng`` defaults to the current random state."""
        accelerator = self.accelerator
        directory = checkpoint_path(self.stage_dir, state.step)
        accelerator.wait_for_everyone()
        write_checkpoint(
            directory,
            accelerator.unwrap_model(model),
            optimizer,
            scheduler,
            state,
            capture_rng_state() if rng is None else rng,
            rank=accelerator.process_index,
        )
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            prune_checkpoints(self.stage_dir, self.recipe.keep_checkpoints)
            logger.info("checkpoint %s", directory)
        return directory


def _get(output: Any, name: str) -> torch.Tensor | None:
    value = output.get(name) if isinstance(output, dict) else getattr(output, name, None)
    return value if isinstance(value, torch.Tensor) else None


def _reduce_mean(accelerator: Any, value: float) -> float:
    if accelerator.num_processes == 1:
        return value
    tensor = torch.tensor(value, device=accelerator.device)
    return float(accelerator.reduce(tensor, reduction="mean"))
