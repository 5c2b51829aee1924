"""The phantom: deterministic, realistic HU, masks that match the report's tags."""

from __future__ import annotations

import re

import numpy as np
import pytest

from training.synthesis.phantom import PhantomCase, PhantomConfig, generate_phantom
from vividmed_viewer.core import default_taxonomy

SMALL = PhantomConfig(in_plane=96, slices=(40, 40), pixel_spacing_limits=(0.7, 4.0))
CHEST_ABNORMALITIES = {
    "lung nodule",
    "pleural effusion",
    "pneumothorax",
    "cardiomegaly",
    "consolidation",
    "rib fracture",
}


def test_same_seed_gives_identical_arrays_and_text() -> None:
    first, second = generate_phantom(77, SMALL), generate_phantom(77, SMALL)
    assert np.array_equal(first.ct.voxels, second.ct.voxels)
    assert np.array_equal(first.drr.voxels, second.drr.voxels)
    assert first.ct_masks.keys() == second.ct_masks.keys()
    for target in first.ct_masks:
        assert np.array_equal(first.ct_masks[target], second.ct_masks[target])
    assert first.report == second.report and first.tags == second.tags
    assert first.ct_boxes == second.ct_boxes
    other = generate_phantom(78, SMALL)
    assert other.ct.shape != first.ct.shape or not np.array_equal(other.ct.voxels, first.ct.voxels)


def test_fixture_seeds_hold_the_expected_findings(
    abnormal_case: PhantomCase, effusion_case: PhantomCase, normal_case: PhantomCase
) -> None:
    assert {"pneumothorax", "lung nodule", "rib fracture", "cardiomegaly"} <= set(
        abnormal_case.ct_boxes
    )
    assert {"pleural effusion", "consolidation"} <= set(effusion_case.ct_boxes)
    assert normal_case.ct_boxes == {}
    assert "No acute cardiopulmonary abnormality." in normal_case.report


def test_grid_and_geometry_are_chest_ct_like(any_case: PhantomCase) -> None:
    ct = any_case.ct
    assert ct.modality == "CT" and ct.voxels.dtype == np.int16
    assert 96 <= ct.shape[0] <= 160 and ct.shape[1:] == (256, 256)
    assert 1.0 <= ct.spacing[0] <= 2.5 and 0.7 <= ct.spacing[1] <= 1.5
    assert ct.geometry.axis_letters(2) == ("R", "L")


@pytest.mark.parametrize(
    ("target", "low", "high"),
    [
        ("lungs", -920, -760),
        ("heart", 20, 75),
        ("aorta", 20, 80),
        ("liver", 35, 85),
        ("spleen", 20, 75),
        ("thoracic vertebrae", 250, 1100),
        ("ribs", 400, 1100),
        ("clavicles", 400, 1100),
    ],
)
def test_median_hu_of_each_organ(
    any_case: PhantomCase, target: str, low: float, high: float
) -> None:
    values = any_case.ct.voxels[any_case.ct_masks[target] > 0]
    assert low <= float(np.median(values)) <= high


def test_air_fat_and_airway_hu(abnormal_case: PhantomCase) -> None:
    voxels = abnormal_case.ct.voxels
    body = abnormal_case.ct_masks["body"] > 0
    assert abs(float(np.median(voxels[~body])) + 1000) < 30
    trachea = voxels[abnormal_case.ct_masks["trachea"] > 0]
    assert np.percentile(trachea, 20) < -850  # air lumen inside a soft-tissue wall
    assert np.percentile(voxels[body], 5) < -50  # subcutaneous fat and lungs exist
    pneumothorax = voxels[abnormal_case.ct_masks["pneumothorax"] > 0]
    assert np.median(pneumothorax) < -950
    nodule = voxels[abnormal_case.ct_masks["lung nodule"] > 0]
    assert np.median(nodule) > -650


def test_effusion_is_fluid_in_the_lung_base(effusion_case: PhantomCase) -> None:
    fluid = effusion_case.ct_masks["pleural effusion"] > 0
    assert -20 <= np.median(effusion_case.ct.voxels[fluid]) <= 45
    side = effusion_case.findings["pleural effusion"][0]["side"]
    lung = effusion_case.ct_masks[f"{side} lung"] > 0
    assert not np.any(fluid & lung)  # pleural fluid is not lung
    fluid_z = np.argwhere(fluid)[:, 0].mean()
    lung_z = np.argwhere(lung)[:, 0].mean()
    assert fluid_z < lung_z


def test_every_tag_names_its_phrase_and_a_labelled_target(any_case: PhantomCase) -> None:
    taxonomy = default_taxonomy()
    for kind in ("ct", "drr"):
        text, tags = any_case.report_and_tags(kind)
        masks, boxes = any_case.masks(kind), any_case.boxes(kind)
        assert tags, "reports always tag some anatomy"
        for tag in tags:
            assert text[tag["start"] : tag["end"]] == tag["phrase"]
            assert tag["target"] in taxonomy
            assert masks[tag["target"]].any()
            if taxonomy[tag["target"]].wants_boxes:
                chosen = tag.get("instances", [])
                assert chosen and all(0 <= i < len(boxes[tag["target"]]) for i in chosen)


def test_negative_findings_are_written_but_not_tagged(any_case: PhantomCase) -> None:
    absent = CHEST_ABNORMALITIES - set(any_case.ct_boxes)
    tagged = {tag["target"] for tag in any_case.tags}
    assert not absent & tagged
    assert not absent & set(any_case.ct_masks)
    for tag in any_case.tags:
        sentence_start = max(any_case.report.rfind(". ", 0, tag["start"]), 0)
        assert not re.match(r"[.\s]*No\b", any_case.report[sentence_start : tag["start"]])
    if "pneumothorax" in absent:
        assert "No pneumothorax." in any_case.report
    if "pleural effusion" in absent:
        assert re.search(r"No pleural (effusion|fluid)\.", any_case.report)


def test_boxes_enclose_their_instances(any_case: PhantomCase) -> None:
    for target, boxes in any_case.ct_boxes.items():
        mask = any_case.ct_masks[target] > 0
        covered = np.zeros_like(mask)
        for box in boxes:
            low = np.asarray(box.minimum, int)
            high = np.asarray(box.maximum, int) + 1
            assert np.all(high > low)
            covered[low[0] : high[0], low[1] : high[1], low[2] : high[2]] = True
            assert mask[low[0] : high[0], low[1] : high[1], low[2] : high[2]].any()
        assert not np.any(mask & ~covered)


def test_cardiomegaly_means_a_large_cardiothoracic_ratio(
    abnormal_case: PhantomCase, normal_case: PhantomCase
) -> None:
    assert abnormal_case.findings["cardiothoracic_ratio"] > 0.55
    assert normal_case.findings["cardiothoracic_ratio"] < 0.5


def test_lobes_partition_each_lung(normal_case: PhantomCase) -> None:
    masks = normal_case.ct_masks
    right = masks["right upper lobe"] + masks["right middle lobe"] + masks["right lower lobe"]
    assert right.max() == 1 and np.array_equal(right > 0, masks["right lung"] > 0)
    left = masks["left upper lobe"] + masks["left lower lobe"]
    assert np.array_equal(left > 0, masks["left lung"] > 0)
    # The patient's left lung has larger x (LPS: +x is left) and the heart sits left of centre.
    centre = normal_case.ct.shape[2] / 2
    assert np.argwhere(masks["left lung"])[:, 2].mean() > centre
    assert np.argwhere(masks["right lung"])[:, 2].mean() < centre
    assert np.argwhere(masks["heart"])[:, 2].mean() > centre
    upper = np.argwhere(masks["right upper lobe"])[:, 0].mean()
    assert upper > np.argwhere(masks["right lower lobe"])[:, 0].mean()
