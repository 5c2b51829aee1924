"""Taxonomy codes: every shipped target is coded for DICOM; older files without codes load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vividmed_viewer.core import SerializationError, Taxonomy, default_taxonomy
from vividmed_viewer.core.taxonomy import ConceptCode, Laterality, TargetCategory

ANATOMICAL_STRUCTURE = ("SCT", "91723000")
MORPHOLOGICALLY_ABNORMAL = ("SCT", "49755003")


def test_every_shipped_target_has_a_code_and_a_seg_category() -> None:
    for target in default_taxonomy().targets:
        assert target.code is not None, target.name
        assert target.code.scheme in ("SCT", "DCM"), target.name
        assert target.property_category is not None, target.name
        category = (target.property_category.scheme, target.property_category.value)
        expected = (
            ANATOMICAL_STRUCTURE
            if target.category is TargetCategory.ANATOMY
            else MORPHOLOGICALLY_ABNORMAL
        )
        assert category == expected, target.name


def test_known_codes_and_laterality() -> None:
    taxonomy = default_taxonomy()
    assert taxonomy["trachea"].code == ConceptCode("SCT", "44567001", "Trachea")
    assert taxonomy["left lung"].code == ConceptCode("SCT", "39607008", "Lung", Laterality.LEFT)
    assert taxonomy["right kidney"].code is not None
    assert taxonomy["right kidney"].code.laterality is Laterality.RIGHT
    assert taxonomy["pleural effusion"].code == ConceptCode("SCT", "60046008", "Pleural effusion")
    # Two targets may share a concept only when their laterality tells them apart.
    seen: dict[tuple[str, str, Laterality | None], str] = {}
    for target in taxonomy.of_category(TargetCategory.ANATOMY):
        assert target.code is not None
        key = (target.code.scheme, target.code.value, target.code.laterality)
        assert key not in seen, f"{target.name} and {seen[key]} share {key}"
        seen[key] = target.name


def test_a_target_without_codes_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps({"targets": [{"name": "x", "category": "anatomy", "colour": [1, 2, 3]}]})
    )
    target = Taxonomy.load(path)["x"]
    assert target.code is None and target.property_category is None


@pytest.mark.parametrize(
    "code",
    [
        {"scheme": "SCT", "value": "", "meaning": "Lung"},
        {"scheme": "SCT", "value": "39607008"},
        {"scheme": "SCT", "value": "lung", "meaning": "Lung"},
        {"scheme": "SCT", "value": "39607008", "meaning": "Lung", "laterality": "up"},
    ],
)
def test_a_bad_code_names_the_target(tmp_path: Path, code: dict[str, str]) -> None:
    path = tmp_path / "bad.json"
    item = {"name": "lung x", "category": "anatomy", "colour": [1, 2, 3], "code": code}
    path.write_text(json.dumps({"targets": [item]}))
    with pytest.raises(SerializationError, match=r"bad\.json: not a valid taxonomy.*lung x"):
        Taxonomy.load(path)
