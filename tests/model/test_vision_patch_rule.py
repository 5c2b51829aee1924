"""The adaptive depth-patch rule and token-grid arithmetic."""

from __future__ import annotations

import math

import pytest

from model.vision import depth_patch_size, padded_depth, pooled_token_count, token_grid
from model.vision.patch_rule import depth_pool_size, depth_stride
from vividmed_viewer.core.errors import ModelError


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (1, 1),
        (4, 1),  # D ≤ t_d
        (5, 1),  # log2(1.25) = 0.32 → 2^0
        (6, 2),  # log2(1.5) = 0.58 → 2^1
        (8, 2),  # log2(2) = 1
        (11, 2),  # log2(2.75) = 1.46 → 2^1
        (12, 4),  # log2(3) = 1.58 → 2^2
        (22, 4),  # log2(5.5) = 2.46 → 2^2
        (23, 8),  # log2(5.75) = 2.52 → 2^3
        (45, 8),  # log2(11.25) = 3.49 → 2^3
        (46, 16),  # log2(11.5) = 3.52 → 2^4
        (64, 16),  # log2(16) = 4
        (1000, 16),  # 2^8 clipped to 16
    ],
)
def test_depth_patch_rule_at_its_boundaries(depth: int, expected: int) -> None:
    assert depth_patch_size(depth, threshold=4) == expected


def test_depth_patch_rule_follows_threshold() -> None:
    assert depth_patch_size(8, threshold=8) == 1
    assert depth_patch_size(9, threshold=8) == 1
    assert depth_patch_size(12, threshold=8) == 2


def test_depth_patch_rule_rejects_empty_depth() -> None:
    with pytest.raises(ModelError, match="at least one slice"):
        depth_patch_size(0)


def test_depth_pool_only_above_four_rows() -> None:
    assert [depth_pool_size(rows) for rows in (1, 4, 5, 8)] == [1, 1, 2, 2]


def test_padded_depth_is_a_whole_number_of_strides_under_its_own_rule() -> None:
    for depth in range(1, 400):
        padded = padded_depth(depth)
        stride = depth_stride(padded)
        assert padded >= depth
        assert padded % stride == 0, (depth, padded, stride)
        # The pooled depth grid is exact (no ceil-mode leftovers) on the padded depth.
        rows = token_grid((padded, 32, 32))[0]
        assert rows % depth_pool_size(rows) == 0


def test_token_count_of_a_chest_film_and_a_ct() -> None:
    assert pooled_token_count((1, 384, 384)) == 144
    assert pooled_token_count((1, 512, 512)) == 256
    # 48 slices: P'd = 16 → 3 depth rows, no depth pooling; 288² → 9×9 pooled.
    assert pooled_token_count((48, 288, 288)) == 3 * 9 * 9
    # Unpadded sizes count partial patches (the encoder pads them).
    assert pooled_token_count((1, 100, 100)) == math.ceil(100 / 32) ** 2
