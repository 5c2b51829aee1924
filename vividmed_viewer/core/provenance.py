"""Where a report or answer came from: which model and settings, or which ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from vividmed_viewer.core.errors import ValidationError


class SourceKind(StrEnum):
    MODEL = "model"
    GROUND_TRUTH = "ground truth"
    HUMAN = "human"


class ModelWeights(StrEnum):
    """The state of the weights that wrote a model's text."""

    TRAINED = "trained"
    DEMO = "demo"  # the demonstration model: trained on synthetic phantoms only
    UNTRAINED = "untrained"  # random vision and localization weights
    UNKNOWN = "unknown"  # a model's text saved before the state was recorded
    NOT_APPLICABLE = "not applicable"  # ground truth, or written by a person


UNTRAINED_WARNING = "UNTRAINED weights (no checkpoint): the text and regions are not meaningful"
DEMO_WARNING = (
    "demonstration model trained on synthetic phantoms only: not a medical opinion, "
    "not for clinical use"
)
WEIGHTS_WARNINGS = {ModelWeights.UNTRAINED: UNTRAINED_WARNING, ModelWeights.DEMO: DEMO_WARNING}
MODEL_WEIGHTS = (ModelWeights.TRAINED, ModelWeights.DEMO, ModelWeights.UNTRAINED)


@dataclass
class Provenance:
    """Who or what wrote a text: shown in every report header.

    ``weights`` (model texts) says whether the model was trained, a demonstration model or
    untrained; left ``UNKNOWN``, it becomes ``NOT_APPLICABLE`` for a text no model wrote.
    ``note`` is free text for people (a phantom's seed, "stopped before the end").
    """

    kind: SourceKind = SourceKind.MODEL
    name: str = ""
    checkpoint: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    note: str = ""
    weights: ModelWeights = ModelWeights.UNKNOWN

    def __post_init__(self) -> None:
        self.kind = SourceKind(self.kind)
        self.weights = ModelWeights(self.weights)
        if self.kind is not SourceKind.MODEL and self.weights is ModelWeights.UNKNOWN:
            self.weights = ModelWeights.NOT_APPLICABLE
        if self.kind is not SourceKind.MODEL and self.weights in MODEL_WEIGHTS:
            raise ValidationError(
                f"a {self.kind.value} text has no model weights, got weights={self.weights.value}"
            )

    @property
    def weights_warning(self) -> str:
        """The plain warning for untrained or demonstration weights; empty otherwise."""
        return WEIGHTS_WARNINGS.get(self.weights, "")

    def describe(self) -> str:
        """One line for a report header."""
        if self.kind is SourceKind.MODEL:
            parts = [f"Model: {self.name or 'unnamed'}"]
            if self.checkpoint:
                parts.append(f"checkpoint {self.checkpoint}")
            if self.settings:
                parts.append(", ".join(f"{k}={v}" for k, v in sorted(self.settings.items())))
        else:
            parts = [f"{self.kind.value.capitalize()}: {self.name or 'unnamed'}"]
        if self.weights_warning:
            parts.append(self.weights_warning)
        if self.note:
            parts.append(self.note)
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "name": self.name,
            "checkpoint": self.checkpoint,
            "settings": dict(self.settings),
            "created": self.created,
            "note": self.note,
            "weights": self.weights.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        """A provenance from :meth:`to_dict`'s data; files from before ``weights`` load too."""
        return cls(
            kind=SourceKind(data.get("kind", "model")),
            name=data.get("name", ""),
            checkpoint=data.get("checkpoint", ""),
            settings=dict(data.get("settings", {})),
            created=data.get("created", ""),
            note=data.get("note", ""),
            weights=ModelWeights(data.get("weights", ModelWeights.UNKNOWN.value)),
        )
