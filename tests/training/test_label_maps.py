"""Label-map adapter (connected components → instance boxes) and the Colin27/AAL example."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from training.data import instance_boxes, labelled_case_from_label_map
from training.data.brain_atlas import MRICRON_TEMPLATES, aal_target, colin27_aal_case
from vividmed_viewer.core import ImageLoadError, ImageVolume, ValidationError


def test_components_become_instance_boxes() -> None:
    labels = np.zeros((6, 20, 20), np.uint8)
    labels[1:3, 2:5, 2:6] = 3  # nodule A (2x3x4 = 24 voxels)
    labels[4, 10:12, 15:17] = 3  # nodule B (4 voxels)
    labels[:, 10:18, 0:8] = 1  # liver
    image = ImageVolume(np.zeros(labels.shape, np.int16), modality="CT")
    case = labelled_case_from_label_map(
        image, labels, {1: "hepatic", 2: "spleen", 3: "nodules", 0: None}
    )
    assert set(case.masks) == {"liver", "lung nodule"}  # synonyms resolved, empty label skipped
    assert case.masks["liver"].sum() == 6 * 8 * 8
    boxes = case.boxes["lung nodule"]
    assert [(b.minimum, b.maximum) for b in boxes] == [
        ((1.0, 2.0, 2.0), (2.0, 4.0, 5.0)),
        ((4.0, 10.0, 15.0), (4.0, 11.0, 16.0)),
    ]
    assert "liver" not in case.boxes
    assert len(instance_boxes(labels == 3, min_voxels=5)) == 1


def test_label_map_errors_name_the_problem() -> None:
    image = ImageVolume(np.zeros((2, 4, 4), np.int16))
    with pytest.raises(ValidationError, match="does not match the image shape"):
        labelled_case_from_label_map(image, np.zeros((2, 4, 5), np.uint8), {1: "liver"})
    with pytest.raises(ValidationError, match="label 1 'gizzard' is not a taxonomy target"):
        labelled_case_from_label_map(image, np.ones((2, 4, 4), np.uint8), {1: "gizzard"})


def test_aal_names_map_to_brain_targets() -> None:
    assert aal_target("Frontal_Sup_Orb_L") == "frontal lobe"
    assert aal_target("Cerebelum_Crus1_R") == "cerebellum"
    assert aal_target("Hippocampus_L") == "hippocampus"
    assert aal_target("Insula_L") is None


def test_missing_atlas_says_which_package(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="install the Debian package mricron-data"):
        colin27_aal_case(tmp_path)


@pytest.mark.skipif(
    not (MRICRON_TEMPLATES / "aal.nii.gz").exists() or shutil.which("dpkg") is None,
    reason="Debian package mricron-data is not installed (apt-get install mricron-data)",
)
def test_colin27_aal_is_a_real_labelled_brain() -> None:
    case = colin27_aal_case()
    assert case.image.modality == "MR" and case.image.shape == (181, 217, 181)
    expected = {
        "frontal lobe",
        "temporal lobe",
        "parietal lobe",
        "occipital lobe",
        "cerebellum",
        "thalamus",
        "hippocampus",
    }
    assert set(case.masks) == expected
    # Brain regions are brighter than the background of the T1 image.
    image = case.image.voxels
    assert (
        image[case.masks["thalamus"] > 0].mean() > 3 * image[image.shape[0] // 2, :5, :5].mean() + 1
    )

    # The cerebellum lies below (inferior to) the parietal lobe in patient coordinates.
    def superior(target: str) -> float:
        centre = np.argwhere(case.masks[target]).mean(axis=0)
        return float(case.image.index_to_patient(centre)[2])

    assert superior("cerebellum") < superior("parietal lobe") - 30
    assert case.masks["frontal lobe"].sum() > case.masks["hippocampus"].sum() * 10
