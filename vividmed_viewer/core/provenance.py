"""Where a report or answer came from: which model and settings, or which ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    MODEL = "model"
    GROUND_TRUTH = "ground truth"
    HUMAN = "human"


@dataclass
class Provenance:
    """Who or what wrote a text: shown in every report header."""

    kind: SourceKind = SourceKind.MODEL
    name: str = ""
    checkpoint: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    note: str = ""

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
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(
            kind=SourceKind(data.get("kind", "model")),
            name=data.get("name", ""),
            checkpoint=data.get("checkpoint", ""),
            settings=dict(data.get("settings", {})),
            created=data.get("created", ""),
            note=data.get("note", ""),
        )
