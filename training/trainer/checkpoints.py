"""Training checkpoints: trainable weights (safetensors), optimizer/scheduler/RNG (tensors only), counters (JSON).

Layout of ``<stage dir>/checkpoint-0000200/``::

    trainable.safetensors   every parameter with requires_grad, by name (exact resume)
    optimizer.pt            optimizer + scheduler state, saved by us, loaded with weights_only=True
    rng-rank0.pt            random states of process 0 (one file per process)
    trainer_state.json      step, samples seen, ...
    COMPLETE                written last: a checkpoint without it was interrupted and is skipped
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from training.trainer.state import TrainerState
from vividmed_viewer.core.errors import TrainingError

logger = logging.getLogger(__name__)

CHECKPOINT_PATTERN = re.compile(r"^checkpoint-(\d+)$")
COMPLETE_MARKER = "COMPLETE"


def checkpoint_path(stage_dir: Path, step: int) -> Path:
    """Where the checkpoint of ``step`` lives."""
    return stage_dir / f"checkpoint-{step:07d}"


def list_checkpoints(stage_dir: Path) -> list[tuple[int, Path]]:
    """Complete checkpoints under ``stage_dir``, oldest first."""
    found = []
    if stage_dir.is_dir():
        for child in stage_dir.iterdir():
            match = CHECKPOINT_PATTERN.match(child.name)
            if match and (child / COMPLETE_MARKER).exists():
                found.append((int(match.group(1)), child))
    return sorted(found)


def last_checkpoint(stage_dir: Path) -> Path | None:
    """The newest complete checkpoint, or None."""
    found = list_checkpoints(stage_dir)
    return found[-1][1] if found else None


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Every parameter that requires grad, detached on the CPU, by its name."""
    return {
        name: parameter.detach().to("cpu").contiguous()
        for name, parameter in model.named_parameters()
        if parameter.requires_grad
    }


def load_trainable_state(model: torch.nn.Module, path: Path) -> None:
    """Copy saved trainable tensors into ``model``; names and shapes must match exactly."""
    from safetensors.torch import load_file

    saved = load_file(str(path))
    parameters = {n: p for n, p in model.named_parameters() if p.requires_grad}
    missing = sorted(set(parameters) - set(saved))
    unexpected = sorted(set(saved) - set(parameters))
    if missing or unexpected:
        raise TrainingError(
            f"{path}: the checkpoint's trainable tensors do not match this stage's model "
            f"(missing {missing[:5]}, unexpected {unexpected[:5]})"
        )
    with torch.no_grad():
        for name, tensor in saved.items():
            target = parameters[name]
            if target.shape != tensor.shape:
                raise TrainingError(
                    f"{path}: tensor '{name}' has shape {tuple(tensor.shape)} in the checkpoint "
                    f"but {tuple(target.shape)} in the model"
                )
            target.copy_(tensor.to(target.device, target.dtype))


@dataclass
class LoadedCheckpoint:
    """What ``read_checkpoint`` returns."""

    directory: Path
    optimizer: dict[str, Any]
    scheduler: dict[str, Any]
    rng: dict[str, Any] | None
    state: TrainerState


def write_checkpoint(
    directory: Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    state: TrainerState,
    rng: dict[str, Any],
    rank: int = 0,
) -> None:
    """Write a resumable checkpoint; the main process writes weights, every process its RNG."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    torch.save(rng, directory / f"rng-rank{rank}.pt")
    if rank != 0:
        return
    save_file(trainable_state(model), str(directory / "trainable.safetensors"))
    torch.save(
        {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
        directory / "optimizer.pt",
    )
    state.save(directory / "trainer_state.json")
    (directory / COMPLETE_MARKER).write_text(f"{state.step}\n", encoding="utf-8")


def read_checkpoint(directory: Path, rank: int = 0) -> LoadedCheckpoint:
    """Read what ``write_checkpoint`` wrote (tensors only: ``weights_only=True``)."""
    if not (directory / COMPLETE_MARKER).exists():
        raise TrainingError(f"{directory}: not a complete training checkpoint")
    try:
        states = torch.load(directory / "optimizer.pt", map_location="cpu", weights_only=True)
    except (OSError, RuntimeError) as error:
        raise TrainingError(f"{directory / 'optimizer.pt'}: cannot be read ({error})") from error
    rng_path = directory / f"rng-rank{rank}.pt"
    rng = torch.load(rng_path, map_location="cpu", weights_only=True) if rng_path.exists() else None
    if rng is None:
        logger.warning("%s: no random state for process %d; continuing without it", directory, rank)
    return LoadedCheckpoint(
        directory=directory,
        optimizer=states["optimizer"],
        scheduler=states["scheduler"],
        rng=rng,
        state=TrainerState.load(directory / "trainer_state.json"),
    )


def prune_checkpoints(stage_dir: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` complete checkpoints."""
    found = list_checkpoints(stage_dir)
    for _, path in found[: max(0, len(found) - keep)]:
        shutil.rmtree(path)
        logger.info("removed old checkpoint %s", path)
