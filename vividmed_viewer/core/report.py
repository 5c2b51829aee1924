"""``GroundedReport``: a report whose phrases link to mask and box overlays."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from vividmed_viewer.core.errors import SerializationError, ValidationError
from vividmed_viewer.core.events import EventEmitter
from vividmed_viewer.core.grounded_text import GroundedText, Phrase
from vividmed_viewer.core.overlays import Overlay, overlay_from_dict
from vividmed_viewer.core.provenance import Provenance

FORMAT_VERSION = 1


class ReportStatus(StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass
class GroundedReport:
    """Report text with phrases linked to overlays, who wrote it, and a reader's edits.

    ``changed`` fires (with no arguments) whenever text, phrases or overlays change, so a
    panel can follow a report as it streams in.
    """

    body: GroundedText = field(default_factory=GroundedText)
    overlays: dict[str, Overlay] = field(default_factory=dict)
    provenance: Provenance = field(default_factory=Provenance)
    status: ReportStatus = ReportStatus.COMPLETE
    edited_text: str | None = None
    image_reference: str = ""
    changed: EventEmitter = field(default_factory=EventEmitter, compare=False, repr=False)

    def __post_init__(self) -> None:
        for phrase in self.body.phrases:
            self._check_links(phrase)

    @property
    def text(self) -> str:
        return self.body.text

    @property
    def phrases(self) -> list[Phrase]:
        return self.body.phrases

    def _check_links(self, phrase: Phrase) -> None:
        missing = [oid for oid in phrase.overlay_ids if oid not in self.overlays]
        if missing:
            raise ValidationError(f"phrase '{phrase.target}' links to unknown overlays {missing}")

    def append_text(self, text: str) -> None:
        self.body.text += text
        self.changed.emit()

    def add_overlay(self, overlay: Overlay) -> None:
        self.overlays[overlay.overlay_id] = overlay
        self.changed.emit()

    def add_phrase(self, phrase: Phrase) -> None:
        self.body.check_phrase(phrase)
        self._check_links(phrase)
        self.body.phrases.append(phrase)
        self.changed.emit()

    def set_status(self, status: ReportStatus) -> None:
        self.status = status
        self.changed.emit()

    def overlays_of(self, phrase: Phrase) -> list[Overlay]:
        return [self.overlays[oid] for oid in phrase.overlay_ids]

    def phrase_for_overlay(self, overlay_id: str) -> Phrase | None:
        for phrase in self.body.phrases:
            if overlay_id in phrase.overlay_ids:
                return phrase
        return None

    def find_phrase(self, query: str) -> Phrase | None:
        """The first phrase whose target or text contains ``query`` (case-insensitive)."""
        needle = query.lower()
        for phrase in self.body.phrases:
            if needle in phrase.target.lower() or needle in self.body.phrase_text(phrase).lower():
                return phrase
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "vividmed.grounded_report",
            "version": FORMAT_VERSION,
            "body": self.body.to_dict(),
            "overlays": [overlay.to_dict() for overlay in self.overlays.values()],
            "provenance": self.provenance.to_dict(),
            "status": self.status.value,
            "edited_text": self.edited_text,
            "image_reference": self.image_reference,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroundedReport:
        if data.get("format") != "vividmed.grounded_report":
            raise SerializationError("not a VividMed grounded report (missing 'format')")
        overlays = [overlay_from_dict(o) for o in data.get("overlays", [])]
        return cls(
            body=GroundedText.from_dict(data.get("body", {})),
            overlays={o.overlay_id: o for o in overlays},
            provenance=Provenance.from_dict(data.get("provenance", {})),
            status=ReportStatus(data.get("status", "complete")),
            edited_text=data.get("edited_text"),
            image_reference=data.get("image_reference", ""),
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict()), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> GroundedReport:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise SerializationError(f"{path}: cannot read a grounded report: {error}") from error
        try:
            return cls.from_dict(data)
        except (KeyError, TypeError, ValueError, SerializationError) as error:
            raise SerializationError(f"{path}: {error}") from error
