"""Which model checkpoint a stage starts from: ``--init``, the recipe's ``init``, or the previous stage."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from training.recipes import Recipe
from vividmed_viewer.core.errors import TrainingError

logger = logging.getLogger(__name__)

PREVIOUS = "previous"
FRESH = ("none", "null", "scratch", "")


def resolve_init(
    recipe: Recipe, stage: int, output: Path, override: Path | None = None
) -> Path | None:
    """The checkpoint directory stage ``stage`` starts from, or None for a fresh model.

    ``init: previous`` (the default) means ``<output>/stage{N-1}/final``; stage 0 and
    ``init: null`` start from the recipe's named model config.
    """
    if override is not None:
        return _existing(Path(override), "--init")
    setting = recipe.stage(stage).init
    if setting is None or str(setting).strip().lower() in FRESH:
        return None
    if setting == PREVIOUS:
        if stage == 0:
            return None
        previous = output / f"stage{stage - 1}" / "final"
        if not previous.is_dir():
            raise TrainingError(
                f"{previous}: stage {stage} starts from stage {stage - 1}'s model, which is not "
                f"there; run `vividmed train --stage {stage - 1}` first or pass --init DIR"
            )
        _warn_if_incomplete(previous)
        return previous
    return _existing(Path(setting), f"stages.{stage}.init")


def _existing(path: Path, where: str) -> Path:
    if not path.is_dir():
        raise TrainingError(f"{path}: the model checkpoint named by {where} does not exist")
    return path


def _warn_if_incomplete(directory: Path) -> None:
    state_path = directory / "trainer_state.json"
    if not state_path.exists():
        return
    state = json.loads(state_path.read_text(encoding="utf-8"))
    if state.get("step", 0) < state.get("total_steps", 0):
        logger.warning(
            "%s was exported after %s of %s steps (a stopped run)",
            directory,
            state.get("step"),
            state.get("total_steps"),
        )
