"""``Conversation``: multi-turn questions and answers about one image, answers optionally grounded."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vividmed_viewer.core.errors import SerializationError, ValidationError
from vividmed_viewer.core.events import EventEmitter
from vividmed_viewer.core.grounded_text import GroundedText
from vividmed_viewer.core.overlays import Overlay, overlay_from_dict
from vividmed_viewer.core.provenance import Provenance


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


@dataclass
class Turn:
    role: Role
    content: GroundedText = field(default_factory=GroundedText)
    grounded: bool = False
    provenance: Provenance | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role.value,
            "content": self.content.to_dict(),
            "grounded": self.grounded,
            "provenance": self.provenance.to_dict() if self.provenance else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        provenance = data.get("provenance")
        return cls(
            role=Role(data["role"]),
            content=GroundedText.from_dict(data.get("content", {})),
            grounded=bool(data.get("grounded", False)),
            provenance=Provenance.from_dict(provenance) if provenance else None,
        )


@dataclass
class Conversation:
    """Turns about one image; overlays referenced by answer phrases live in ``overlays``."""

    turns: list[Turn] = field(default_factory=list)
    overlays: dict[str, Overlay] = field(default_factory=dict)
    image_reference: str = ""
    changed: EventEmitter = field(default_factory=EventEmitter, compare=False, repr=False)

    def add_turn(self, turn: Turn) -> Turn:
        if self.turns and self.turns[-1].role == turn.role:
            raise ValidationError(f"two {turn.role.value} turns in a row")
        self.turns.append(turn)
        self.changed.emit()
        return turn

    def ask(self, question: str) -> Turn:
        return self.add_turn(Turn(Role.USER, GroundedText(question)))

    def clear(self) -> None:
        self.turns.clear()
        self.overlays.clear()
        self.changed.emit()

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "vividmed.conversation",
            "turns": [t.to_dict() for t in self.turns],
            "overlays": [o.to_dict() for o in self.overlays.values()],
            "image_reference": self.image_reference,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        if data.get("format") != "vividmed.conversation":
            raise SerializationError("not a VividMed conversation (missing 'format')")
        overlays = [overlay_from_dict(o) for o in data.get("overlays", [])]
        return cls(
            turns=[Turn.from_dict(t) for t in data.get("turns", [])],
            overlays={o.overlay_id: o for o in overlays},
            image_reference=data.get("image_reference", ""),
        )
