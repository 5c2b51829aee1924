"""Who made a generation, as plain data: the model, its checkpoint and settings, its weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class WeightsState(StrEnum):
    """How far the weights that wrote a text can be trusted to mean anything."""

    TRAINED = "trained"  # loaded from a checkpoint
    DEMO = "demo"  # the demonstration model: trained on synthetic phantoms only
    UNTRAINED = "untrained"  # built from a config: random vision and localization weights


@dataclass(frozen=True)
class ModelProvenance:
    """The model behind a generation: a display name, its checkpoint, decoding settings."""

    name: str
    checkpoint: str
    weights: WeightsState
    settings: dict[str, Any] = field(default_factory=dict)
