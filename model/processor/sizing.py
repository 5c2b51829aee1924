"""Choosing the model grid: in-plane resize to the token budget, depth kept, pad to the stride."""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.vision.patch_rule import depth_stride, padded_depth, pooled_token_count
from vividmed_viewer.core.errors import ModelError


@dataclass(frozen=True)
class GridPlan:
    """Shapes (z, y, x) of the resized image and of the padded model grid, and its tokens."""

    original_shape: tuple[int, int, int]
    resized_shape: tuple[int, int, int]
    padded_shape: tuple[int, int, int]
    num_tokens: int


def pooled_depth_rows(depth: int, threshold: int = 4, patch_size: int = 16) -> int:
    """Pooled token rows along depth of a depth already padded to its own stride."""
    return math.ceil(depth / depth_stride(depth, threshold, patch_size))


def fit_depth(depth: int, max_rows: int, threshold: int = 4, patch_size: int = 16) -> int:
    """The original depth, or the largest smaller depth whose padded grid fits ``max_rows``."""
    candidate = depth
    if (
        pooled_depth_rows(padded_depth(candidate, threshold, patch_size), threshold, patch_size)
        <= max_rows
    ):
        return candidate
    candidate = min(depth, max_rows * patch_size * 2)
    while candidate > 1 and (
        pooled_depth_rows(padded_depth(candidate, threshold, patch_size), threshold, patch_size)
        > max_rows
    ):
        candidate -= 1
    return candidate


def fit_in_plane(height: int, width: int, max_tokens: int, stride: int) -> tuple[int, int]:
    """Largest aspect-preserving (height, width) whose pooled grid has ≤ ``max_tokens`` cells.

    One pooled token covers ``stride × stride`` pixels; small images are enlarged to use
    the budget, large ones shrunk.
    """
    best_scale = 0.0
    for rows in range(1, max_tokens + 1):
        columns = max_tokens // rows
        scale = min(rows * stride / height, columns * stride / width)
        best_scale = max(best_scale, scale)
    return max(1, round(height * best_scale)), max(1, round(width * best_scale))


def plan_model_grid(
    shape_dhw: tuple[int, int, int],
    token_budget: int,
    patch_size: int = 16,
    threshold: int = 4,
    pool_in_plane: int = 2,
    min_inplane_tokens: int = 16,
) -> GridPlan:
    """Resize in-plane to fill ``token_budget`` pooled tokens; resize depth only if it must.

    Depth is resized only when its pooled rows would leave fewer than ``min_inplane_tokens``
    tokens per row. The padded depth is a whole number of ``P'd · pool_z`` strides under the
    rule evaluated on the padded depth itself; height and width are padded to
    ``patch_size · pool_in_plane``.
    """
    depth, height, width = (int(v) for v in shape_dhw)
    if min(depth, height, width) < 1:
        raise ModelError(f"cannot plan a model grid for an empty image of shape {shape_dhw}")
    if token_budget < 1:
        raise ModelError(f"token_budget must be >= 1, got {token_budget}")
    max_rows = max(1, token_budget // max(1, min_inplane_tokens))
    resized_depth = fit_depth(depth, max_rows, threshold, patch_size)
    model_depth = padded_depth(resized_depth, threshold, patch_size)
    rows = pooled_depth_rows(model_depth, threshold, patch_size)
    stride = patch_size * pool_in_plane
    resized_height, resized_width = fit_in_plane(height, width, token_budget // rows, stride)
    padded = (
        model_depth,
        math.ceil(resized_height / stride) * stride,
        math.ceil(resized_width / stride) * stride,
    )
    tokens = pooled_token_count(padded, patch_size, threshold, pool_in_plane)
    if tokens > token_budget:
        raise ModelError(
            f"image of shape {shape_dhw} needs {tokens} tokens, more than the budget "
            f"{token_budget}; raise the budget"
        )
    return GridPlan(
        original_shape=(depth, height, width),
        resized_shape=(resized_depth, resized_height, resized_width),
        padded_shape=padded,
        num_tokens=tokens,
    )
