"""The shipped taxonomy: size, categories, synonyms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vividmed_viewer.core import SerializationError, TargetCategory, Taxonomy, default_taxonomy


def test_shipped_taxonomy_has_anatomy_and_abnormalities() -> None:
    taxonomy = default_taxonomy()
    assert len(taxonomy.of_category(TargetCategory.ANATOMY)) >= 40
    assert len(taxonomy.of_category(TargetCategory.ABNORMALITY)) >= 24
    assert taxonomy["left lung"].wants_mask
    assert taxonomy["pleural effusion"].wants_boxes


@pytest.mark.parametrize(
    ("term", "target"),
    [
        ("Cardiac  silhouette", "heart"),
        ("effusion", "pleural effusion"),
        ("LUL", "left upper lobe"),
    ],
)
def test_synonyms_resolve(term: str, target: str) -> None:
    resolved = default_taxonomy().resolve(term)
    assert resolved is not None and resolved.name == target


def test_unknown_term_and_bad_file(tmp_path: Path) -> None:
    assert default_taxonomy().resolve("flux capacitor") is None
    path = tmp_path / "taxonomy.json"
    path.write_text(
        json.dumps({"targets": [{"name": "x", "category": "organ", "colour": [1, 2, 3]}]})
    )
    with pytest.raises(SerializationError, match=r"taxonomy\.json: not a valid taxonomy"):
        Taxonomy.load(path)
