"""Box conversions and generalized IoU (3D, and 2D as a special case)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.typing import NDArray

from model.losses import (
    box_iou,
    center_size_to_corners,
    corners_to_center_size,
    generalized_box_iou,
)
from vividmed_viewer.core.errors import ModelError


def test_conversions_round_trip_in_3d_and_2d(seeded: torch.Generator) -> None:
    three = torch.rand(5, 6, generator=seeded)
    two = torch.rand(5, 4, generator=seeded)
    torch.testing.assert_close(corners_to_center_size(center_size_to_corners(three)), three)
    torch.testing.assert_close(corners_to_center_size(center_size_to_corners(two)), two)
    corners = center_size_to_corners(torch.tensor([0.5, 0.4, 0.3, 0.2, 0.4, 0.6]))
    torch.testing.assert_close(corners, torch.tensor([0.4, 0.2, 0.0, 0.6, 0.6, 0.6]))


def test_giou_of_hand_computed_boxes() -> None:
    # 2D: intersection 1, union 7, enclosing 9 → 1/7 − 2/9 = −5/63.
    square = generalized_box_iou(torch.tensor([[0.0, 0, 2, 2]]), torch.tensor([[1.0, 1, 3, 3]]))
    assert square.item() == pytest.approx(-5 / 63)
    # 3D: intersection 1, union 15, enclosing 27 → 1/15 − 12/27 = −17/45.
    cube = generalized_box_iou(
        torch.tensor([[0.0, 0, 0, 2, 2, 2]]), torch.tensor([[1.0, 1, 1, 3, 3, 3]])
    )
    assert cube.item() == pytest.approx(-17 / 45)
    # Nested: IoU = 1/8 and the enclosing box is the union.
    nested = generalized_box_iou(
        torch.tensor([[0.0, 0, 0, 2, 2, 2]]), torch.tensor([[0.0, 0, 0, 1, 1, 1]])
    )
    assert nested.item() == pytest.approx(1 / 8)


def test_giou_is_one_for_identical_and_tends_to_minus_one_when_far() -> None:
    boxes = torch.tensor([[0.1, 0.1, 0.1, 0.3, 0.4, 0.5], [0.5, 0.5, 0.5, 0.9, 0.8, 0.7]])
    torch.testing.assert_close(generalized_box_iou(boxes, boxes).diagonal(), torch.ones(2))
    far = generalized_box_iou(
        torch.tensor([[0.0, 0, 0, 1, 1, 1]]), torch.tensor([[99.0, 99, 99, 100, 100, 100]])
    )
    assert -1.0 < far.item() < -0.99


def test_3d_boxes_spanning_z_0_to_1_reduce_to_2d(seeded: torch.Generator) -> None:
    def random_corners(count: int) -> torch.Tensor:
        low = torch.rand(count, 2, generator=seeded)
        return torch.cat([low, low + torch.rand(count, 2, generator=seeded)], dim=1)

    a, b = random_corners(4), random_corners(3)

    def lift(boxes: torch.Tensor) -> torch.Tensor:
        zeros, ones = torch.zeros(len(boxes), 1), torch.ones(len(boxes), 1)
        return torch.cat([zeros, boxes[:, :2], ones, boxes[:, 2:]], dim=1)

    torch.testing.assert_close(generalized_box_iou(lift(a), lift(b)), generalized_box_iou(a, b))
    torch.testing.assert_close(box_iou(lift(a), lift(b))[0], box_iou(a, b)[0])


def cell_count_giou(a: list[int], b: list[int]) -> float:
    """GIoU of two integer-corner boxes by counting unit cells (independent of the formula)."""
    dims = len(a) // 2
    size = max(a[dims:] + b[dims:])
    axes = np.meshgrid(*[np.arange(size) + 0.5] * dims, indexing="ij")

    def inside(box: list[int]) -> NDArray[np.bool_]:
        cells = np.ones(axes[0].shape, dtype=bool)
        for axis in range(dims):
            cells &= (axes[axis] > box[axis]) & (axes[axis] < box[axis + dims])
        return cells

    first, second = inside(a), inside(b)
    hull = inside(
        [min(a[i], b[i]) for i in range(dims)] + [max(a[i], b[i]) for i in range(dims, 2 * dims)]
    )
    union = int((first | second).sum())
    return int((first & second).sum()) / union - (int(hull.sum()) - union) / int(hull.sum())


@pytest.mark.parametrize("dims", [2, 3])
def test_giou_matches_cell_counting_on_random_boxes(dims: int) -> None:
    # The reference counts unit cells, so it shares no arithmetic with generalized_box_iou.
    rng = np.random.default_rng(dims)
    for _ in range(40):
        pair = []
        for _ in range(2):
            low = rng.integers(0, 8, dims)
            pair.append([*low.tolist(), *(low + rng.integers(1, 6, dims)).tolist()])
        ours = generalized_box_iou(
            torch.tensor([pair[0]], dtype=torch.float64),
            torch.tensor([pair[1]], dtype=torch.float64),
        )
        assert ours.item() == pytest.approx(cell_count_giou(*pair), abs=1e-9), pair


def test_giou_matches_torchvision_in_2d(seeded: torch.Generator) -> None:
    ops = pytest.importorskip(
        "torchvision.ops",
        reason=(
            "torchvision is not installed: PyPI's torchvision 0.28.0 (for torch 2.13) is a CUDA "
            "build that cannot load with torch 2.13.0+cpu; hand-computed and cell-counting "
            "cases cover GIoU"
        ),
    )
    low = torch.rand(6, 2, generator=seeded)
    boxes = torch.cat([low, low + torch.rand(6, 2, generator=seeded)], dim=1)
    # torchvision orders (x0, y0, x1, y1); ours (y0, x0, y1, x1): GIoU is symmetric in axes.
    torch.testing.assert_close(
        generalized_box_iou(boxes, boxes.flip(0)), ops.generalized_box_iou(boxes, boxes.flip(0))
    )


def test_wrong_box_size_is_reported() -> None:
    with pytest.raises(ModelError, match=r"4 \(2D\) or 6 \(3D\) numbers"):
        center_size_to_corners(torch.zeros(2, 5))
    with pytest.raises(ModelError, match="cannot compare boxes of sizes 6 and 4"):
        generalized_box_iou(torch.zeros(1, 6), torch.zeros(1, 4))
