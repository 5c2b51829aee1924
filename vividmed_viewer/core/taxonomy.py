"""The grounding taxonomy (resources/taxonomy.json): targets, synonyms, category, colour.

Shared by the model (which head a phrase gets), training (tagging reports) and the viewer
(colours). Anatomy targets get masks, abnormalities get boxes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from vividmed_viewer.core.errors import SerializationError
from vividmed_viewer.core.overlays import Colour

RESOURCES_DIR = Path(__file__).resolve().parents[2] / "resources"
DEFAULT_TAXONOMY_PATH = RESOURCES_DIR / "taxonomy.json"


class TargetCategory(StrEnum):
    ANATOMY = "anatomy"
    ABNORMALITY = "abnormality"


@dataclass(frozen=True)
class Target:
    name: str
    category: TargetCategory
    synonyms: tuple[str, ...]
    colour: Colour

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
                )
                for item in data["targets"]
            ]
        except (OSError, json.JSONDecodeError, KeyError, ValueError, TypeError) as error:
            raise SerializationError(f"{path}: not a valid taxonomy: {error}") from error
        return cls(targets)


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy (loaded once)."""
    return Taxonomy.load()
