"""``TrainingTask``: what the trainer needs from a stage (model, samples, collate, export)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch


@dataclass
class TrainingTask:
    """One stage made concrete.

    ``model(**collate(samples))`` returns an object with ``loss`` (and optionally
    ``lm_loss``, ``mask_loss``, ``box_loss``); only parameters with ``requires_grad``
    are optimized. ``export(model, directory)`` writes the model that the next stage
    and the evaluator load.
    """

    stage: int
    model: torch.nn.Module
    dataset: torch.utils.data.Dataset[Any]
    collate: Callable[[list[Any]], dict[str, Any]]
    export: Callable[[torch.nn.Module, Path], None]
    description: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    def trainable_names(self) -> list[str]:
        """Names of the parameters this stage trains."""
        return [n for n, p in self.model.named_parameters() if p.requires_grad]
