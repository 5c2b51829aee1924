"""What a folder holds: studies, their series and the objects that are not images."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class SeriesKind(StrEnum):
    IMAGE = "image"
    NON_IMAGE = "non-image"  # SR, SEG, RTSTRUCT, presentation states, …


@dataclass
class Series:
    """One loadable (or listed-only) series, described from headers alone.

    ``files`` are in display order (by position along the slice normal) for image series.
    """

    series_instance_uid: str
    modality: str = "OT"
    description: str = ""
    kind: SeriesKind = SeriesKind.IMAGE
    files: list[Path] = field(default_factory=list)
    rows: int = 0
    columns: int = 0
    number_of_frames: int = 0
    orientation: tuple[float, ...] = ()
    sop_class_uid: str = ""
    series_number: int | None = None
    warnings: list[str] = field(default_factory=list)
    # Set by readers that split one SeriesInstanceUID into several stacks.
    stack_label: str = ""

    @property
    def key(self) -> str:
        """A unique id even when one SeriesInstanceUID was split into several stacks."""
        return (
            f"{self.series_instance_uid}#{self.stack_label}"
            if self.stack_label
            else self.series_instance_uid
        )

    def summary(self) -> dict[str, Any]:
        return {
            "series_instance_uid": self.series_instance_uid,
            "stack": self.stack_label,
            "modality": self.modality,
            "description": self.description,
            "kind": self.kind.value,
            "files": len(self.files),
            "rows": self.rows,
            "columns": self.columns,
            "frames": self.number_of_frames,
            "warnings": list(self.warnings),
        }


@dataclass
class Study:
    study_instance_uid: str
    patient_name: str = ""
    patient_id: str = ""
    description: str = ""
    date: str = ""
    series: list[Series] = field(default_factory=list)
    # Problems found while scanning (e.g. unreadable files), each naming the file.
    warnings: list[str] = field(default_factory=list)

    @property
    def image_series(self) -> list[Series]:
        return [s for s in self.series if s.kind is SeriesKind.IMAGE]
