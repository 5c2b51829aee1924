"""The DRR: a PA film whose masks and boxes are projections of the 3D labels."""

from __future__ import annotations

import numpy as np

from training.synthesis.phantom import PhantomCase


def test_drr_is_a_pa_film(abnormal_case: PhantomCase) -> None:
    drr = abnormal_case.drr
    assert drr.is_2d and drr.modality == "CR" and drr.voxels.dtype == np.uint16
    assert drr.geometry.axis_letters(2) == ("R", "L")  # patient left on the image right
    assert drr.geometry.axis_letters(1) == ("S", "I")  # head at the top
    film = drr.voxels[0].astype(float)
    masks = abnormal_case.drr_masks
    lungs = film[(masks["lungs"][0] > 0) & (masks["heart"][0] == 0) & (masks["spine"][0] == 0)]
    spine = film[masks["thoracic vertebrae"][0] > 0]
    assert np.median(spine) > np.median(lungs) + 800  # bright bone, dark lungs
    assert np.median(film[masks["heart"][0] > 0]) > np.median(lungs)
    rows = lambda t: np.argwhere(masks[t][0])[:, 0].mean()  # noqa: E731
    assert rows("trachea") < rows("heart") < rows("liver") + 40


def test_drr_masks_are_projections_of_3d_masks(any_case: PhantomCase) -> None:
    ct, drr = any_case.ct, any_case.drr
    rng = np.random.default_rng(0)
    rows = rng.integers(0, drr.shape[1], 400)
    columns = rng.integers(0, drr.shape[2], 400)
    points = drr.index_to_patient(np.stack([np.zeros(400), rows, columns], axis=1))
    indices = ct.patient_to_index(points)
    slices = np.clip(np.round(indices[:, 0]).astype(int), 0, ct.shape[0] - 1)
    ct_columns = np.round(indices[:, 2]).astype(int)
    assert np.all((ct_columns >= 0) & (ct_columns < ct.shape[2]))
    for target, mask in any_case.ct_masks.items():
        shadow = mask.any(axis=1)
        expected = shadow[slices, ct_columns]
        actual = any_case.drr_masks[target][0, rows, columns] > 0
        assert np.array_equal(actual, expected), target


def test_drr_boxes_cover_the_projected_masks(any_case: PhantomCase) -> None:
    for target, boxes in any_case.drr_boxes.items():
        assert len(boxes) == len(any_case.ct_boxes[target])
        covered = np.zeros(any_case.drr.shape[1:], dtype=bool)
        for box in boxes:
            assert box.minimum[0] == box.maximum[0] == 0.0
            r0, c0 = int(np.floor(box.minimum[1])), int(np.floor(box.minimum[2]))
            r1, c1 = int(np.ceil(box.maximum[1])), int(np.ceil(box.maximum[2]))
            covered[max(r0 - 1, 0) : r1 + 2, max(c0, 0) : c1 + 1] = True
        assert not np.any((any_case.drr_masks[target][0] > 0) & ~covered), target
