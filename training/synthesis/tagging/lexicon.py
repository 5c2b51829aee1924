"""Exact mentions of taxonomy terms (names and synonyms) in free text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vividmed_viewer.core import Taxonomy, default_taxonomy

# Surface forms radiologists use that the taxonomy's synonym lists do not hold.
EXTRA_TERMS: dict[str, str] = {
    "pleural effusions": "pleural effusion",
    "heart size is enlarged": "cardiomegaly",
    "heart is enlarged": "cardiomegaly",
    "enlarged cardiomediastinal silhouette": "cardiomegaly",
    "lung nodules": "lung nodule",
    "pulmonary nodules": "lung nodule",
    "consolidations": "consolidation",
    "consolidative opacity": "consolidation",
    "pneumothoraces": "pneumothorax",
    "fractured ribs": "rib fracture",
    "left lower lobe": "left lower lobe",
    "right upper lobe": "right upper lobe",
    "aortic arch": "aorta",
    "cardiac silhouette": "heart",
}


@dataclass(frozen=True)
class Mention:
    """``text[start:end]`` names ``target``; ``score`` is 1 for exact terms."""

    start: int
    end: int
    target: str
    score: float = 1.0
    source: str = "lexicon"


@lru_cache(maxsize=4)
def _compiled(taxonomy: Taxonomy) -> tuple[re.Pattern[str], dict[str, str]]:
    terms = {term: target.name for term, target in taxonomy.terms().items()}
    for term, name in EXTRA_TERMS.items():
        if name in taxonomy:
            terms.setdefault(term, name)
    alternatives = "|".join(
        re.escape(term).replace(r"\ ", r"\s+") for term in sorted(terms, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE), terms


def find_mentions(text: str, taxonomy: Taxonomy | None = None) -> list[Mention]:
    """Longest, non-overlapping, case-insensitive whole-word mentions, in text order."""
    taxonomy = taxonomy or default_taxonomy()
    pattern, terms = _compiled(taxonomy)
    mentions = []
    for match in pattern.finditer(text):
        key = " ".join(match.group(0).lower().split())
        target = terms.get(key)
        if target is None:
            resolved = taxonomy.resolve(key)
            target = resolved.name if resolved else None
        if target is not None:
            mentions.append(Mention(match.start(), match.end(), target))
    return mentions
