"""``Trainer``: the optimization loop of one stage (accelerate, accumulation, clipping, checkpoints)."""

from __future__ import annotations

import logging
import math
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from training.recipes import Recipe
from training.trainer.checkpoints import (
    checkpoint_path,
    last_checkpoint,
    load_trainable_state,
    prune_checkpoints,
    read_checkpoint,
    write_checkpoint,
)
from training.trainer.metrics_log import MetricsLog
from training.trainer.optim import build_optimizer, build_scheduler
from training.trainer.sampling import BatchLayout, ResumableSampler
from training.trainer.state import TrainerState, capture_rng_state, restore_rng_state
from training.trainer.task import TrainingTask
from vividmed_viewer.core.errors import TrainingError

logger = logging.getLogger(__name__)

LOSS_NAMES = ("loss", "lm_loss", "mask_loss", "box_loss")


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


def make_accelerator(device: str) -> Any:
    """An ``accelerate.Accelerator``: bf16 on CUDA, fp32 on CPU; ``device`` is auto, cpu or cuda."""
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs

    if device not in ("auto", "cpu", "cuda"):
        raise TrainingError(f"unknown device '{device}' (choose auto, cpu or cuda)")
    if device == "cuda" and not torch.cuda.is_available():
        raise TrainingError("--device cuda was asked for but torch sees no CUDA GPU")
    use_cpu = device == "cpu" or not torch.cuda.is_available()
    bf16 = not use_cpu and torch.cuda.is_bf16_supported()
    # a micro-batch may use only one of the two localization heads: DDP must allow that
    ddp = DistributedDataParallelKwargs(find_unused_parameters=True)
    return Accelerator(cpu=use_cpu, mixed_precision="bf16" if bf16 else "no", kwargs_handlers=[ddp])


class Trainer:
    """Runs one stage's schedule from its recipe; resumable from the last checkpoint."""

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
            state = loaded.state
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
        from accelerate.utils import send_to_device
        from tqdm.auto import tqdm

        accelerator = self.accelerator
        accumulation = self.layout.accumulation_steps
        parameters = [p for p in model.parameters() if p.requires_grad]
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
        start_step = state.step
        while state.step < self.stop_step:
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
                    f"stage {self.task.stage}: the loss became {mean['loss']} at step {state.step + 1}; "
                    "lower the learning rate or check the data"
                )
            grad_norm = accelerator.clip_grad_norm_(parameters, self.recipe.optimizer.grad_clip)
            learning_rate = scheduler.get_last_lr()[0]
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            state.step += 1
            state.samples_seen += self.layout.effective_batch
            state.last_loss = mean["loss"]
            first_loss = mean["loss"] if first_loss is None else first_loss
            progress.update(1)
            progress.set_postfix(loss=f"{mean['loss']:.4f}", lr=f"{learning_rate:.2e}")
            now = time.perf_counter()
            if log is not None and (
                state.step % self.recipe.log_every == 0 or state.step == self.stop_step
            ):
                steps_in_window = state.step % self.recipe.log_every or self.recipe.log_every
                log.log(
                    state.step,
                    mean
                    | {
                        "lr": learning_rate,
                        "grad_norm": float(grad_norm) if grad_norm is not None else math.nan,
                        "steps_per_s": steps_in_window / max(now - window_start, 1e-9),
                        "elapsed_s": state.elapsed_s + now - started,
                    },
                )
                window_start = now
            if state.step % self.recipe.checkpoint_every == 0:
                state.elapsed_s += now - started
                started = now
                self._checkpoint(model, optimizer, scheduler, state)
        progress.close()
        ended = time.perf_counter()
        state.elapsed_s += ended - started
        done = state.step - start_step
        return first_loss, done / max(ended - loop_started, 1e-9)

    def _checkpoint(
        self,
        model: torch.nn.Module,
        optimizer: Any,
        scheduler: torch.optim.lr_scheduler.LRScheduler,
        state: TrainerState,
    ) -> None:
        accelerator = self.accelerator
        directory = checkpoint_path(self.stage_dir, state.step)
        accelerator.wait_for_everyone()
        write_checkpoint(
            directory,
            accelerator.unwrap_model(model),
            optimizer,
            scheduler,
            state,
            capture_rng_state(),
            rank=accelerator.process_index,
        )
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            prune_checkpoints(self.stage_dir, self.recipe.keep_checkpoints)
            logger.info("checkpoint %s", directory)


def _get(output: Any, name: str) -> torch.Tensor | None:
    value = output.get(name) if isinstance(output, dict) else getattr(output, name, None)
    return value if isinstance(value, torch.Tensor) else None


def _reduce_mean(accelerator: Any, value: float) -> float:
    if accelerator.num_processes == 1:
        return value
    tensor = torch.tensor(value, device=accelerator.device)
    return float(accelerator.reduce(tensor, reduction="mean"))
