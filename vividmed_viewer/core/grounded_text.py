"""Text whose phrases are linked to regions: the shared shape of reports and chat answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vividmed_viewer.core.errors import ValidationError


@dataclass(frozen=True)
class Phrase:
    """A span ``text[start:end]`` naming ``target``, linked to overlays by id."""

    start: int
    end: int
    target: str
    overlay_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValidationError(
                f"phrase span must satisfy 0 <= start < end, got {self.start}..{self.end}"
            )
        object.__setattr__(self, "overlay_ids", tuple(self.overlay_ids))

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "target": self.target,
            "overlay_ids": list(self.overlay_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Phrase:
        return cls(
            int(data["start"]),
            int(data["end"]),
            str(data["target"]),
            tuple(data.get("overlay_ids", ())),
        )


@dataclass
class GroundedText:
    """Plain text plus phrase spans inside it."""

    text: str = ""
    phrases: list[Phrase] = field(default_factory=list)

    def __post_init__(self) -> None:
        for phrase in self.phrases:
            self.check_phrase(phrase)

    def check_phrase(self, phrase: Phrase) -> None:
        if phrase.end > len(self.text):
            raise ValidationError(
                f"phrase '{phrase.target}' spans {phrase.start}..{phrase.end} but the text has "
                f"{len(self.text)} characters"
            )

    def phrase_text(self, phrase: Phrase) -> str:
        return self.text[phrase.start : phrase.end]

    def tagged(self) -> str:
        """The text with each phrase written ``[phrase](target)`` (the report markup)."""
        pieces, position = [], 0
        for phrase in sorted(self.phrases, key=lambda p: p.start):
            if phrase.start < position:  # overlapping spans: the first one keeps its text
                continue
            pieces += [self.text[position : phrase.start], f"[{self.phrase_text(phrase)}]"]
            pieces.append(f"({phrase.target})")
            position = phrase.end
        return "".join([*pieces, self.text[position:]])

    def phrase_at(self, position: int) -> Phrase | None:
        """The phrase covering a character position, if any."""
        for phrase in self.phrases:
            if phrase.start <= position < phrase.end:
                return phrase
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "phrases": [p.to_dict() for p in self.phrases]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroundedText:
        return cls(
            str(data.get("text", "")), [Phrase.from_dict(p) for p in data.get("phrases", [])]
        )
