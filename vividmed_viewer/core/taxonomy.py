"""The grounding taxonomy (resources/taxonomy.json): targets, synonyms, category, colour.

Shared by the model (which head a phrase gets), training (tagging reports) and the viewer
(colours). Anatomy targets get masks, abnormalities get boxes. Each target may carry a coded
concept (SNOMED CT) and a DICOM SEG property category (CID 7150), used when a report goes
out as DICOM; a target without codes stays loadable (taxonomy files from before codes).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from vividmed_viewer.core.errors import SerializationError, ValidationError
from vividmed_viewer.core.overlays import Colour

RESOURCES_DIR = Path(__file__).resolve().parents[2] / "resources"
DEFAULT_TAXONOMY_PATH = RESOURCES_DIR / "taxonomy.json"


class TargetCategory(StrEnum):
    ANATOMY = "anatomy"
    ABNORMALITY = "abnormality"


class Laterality(StrEnum):
    """The side a paired structure's code is qualified with (DICOM CID 244)."""

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


@dataclass(frozen=True)
class ConceptCode:
    """A coded concept: coding scheme designator (``SCT``, ``DCM``), code value and meaning.

    ``laterality`` qualifies a paired structure coded without its side (DICOM's way:
    "Lung" + "Left" rather than a lateralised concept).
    """

    scheme: str
    value: str
    meaning: str
    laterality: Laterality | None = None

    def __post_init__(self) -> None:
        for field_name in ("scheme", "value", "meaning"):
            text = getattr(self, field_name)
            if not isinstance(text, str) or not text.strip():
                raise ValidationError(
                    f"a concept code needs a non-empty {field_name}, got {text!r}"
                )
        if self.scheme == "SCT" and not self.value.isdigit():
            raise ValidationError(f"a SNOMED CT code value is digits only, got {self.value!r}")
        if self.laterality is not None:
            object.__setattr__(self, "laterality", Laterality(self.laterality))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConceptCode:
        return cls(
            scheme=data["scheme"],
            value=str(data["value"]),
            meaning=data["meaning"],
            laterality=data.get("laterality"),
        )


@dataclass(frozen=True)
class Target:
    name: str
    category: TargetCategory
    synonyms: tuple[str, ...]
    colour: Colour
    code: ConceptCode | None = None
    property_category: ConceptCode | None = None

    @property
    def wants_mask(self) -> bool:
        return self.category is TargetCategory.ANATOMY

    @property
    def wants_boxes(self) -> bool:
        return self.category is TargetCategory.ABNORMALITY


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


class Taxonomy:
    """Targets by name, with synonym lookup."""

    def __init__(self, targets: list[Target]) -> None:
        self.targets = list(targets)
        self._by_name = {t.name: t for t in self.targets}
        self._by_term: dict[str, Target] = {}
        for target in self.targets:
            for term in (target.name, *target.synonyms):
                self._by_term.setdefault(_normalise(term), target)

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Target:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"'{name}' is not a target of the taxonomy") from None

    def __len__(self) -> int:
        return len(self.targets)

    def resolve(self, term: str) -> Target | None:
        """The target a phrase names: exact name or synonym, case- and space-insensitive."""
        return self._by_term.get(_normalise(term))

    def terms(self) -> dict[str, Target]:
        """Every name and synonym (normalised) → its target."""
        return dict(self._by_term)

    def colour_of(self, name: str, fallback: Colour = (255, 200, 0)) -> Colour:
        target = self.resolve(name)
        return target.colour if target else fallback

    def of_category(self, category: TargetCategory) -> list[Target]:
        return [t for t in self.targets if t.category is category]

    @classmethod
    def load(cls, path: str | Path = DEFAULT_TAXONOMY_PATH) -> Taxonomy:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            targets = [
                Target(
                    name=item["name"],
                    category=TargetCategory(item["category"]),
                    synonyms=tuple(item.get("synonyms", ())),
                    colour=tuple(item["colour"]),
                    code=_optional_code(item, "code"),
                    property_category=_optional_code(item, "property_category"),
                )
                for item in data["targets"]
            ]
        except (OSError, json.JSONDecodeError, KeyError, ValueError, TypeError) as error:
            raise SerializationError(f"{path}: not a valid taxonomy: {error}") from error
        return cls(targets)


def _optional_code(item: dict[str, Any], key: str) -> ConceptCode | None:
    """A target's code under ``key``, or None where the file has none."""
    data = item.get(key)
    if data is None:
        return None
    try:
        return ConceptCode.from_dict(data)
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise ValidationError(f"target '{item.get('name')}': invalid {key}: {error}") from error


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy (loaded once)."""
    return Taxonomy.load()
