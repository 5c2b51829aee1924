"""The adaptive depth-patch rule and the token-grid arithmetic (torch-free).

A Conv3d patch embedding of 16×16×16 is used for every image; along depth its kernel is
sum-pooled to ``P'd``: 1 when the image has at most ``t_d`` slices, else
``2^round(log2(D / t_d))`` clipped to [1, 16], so at most about ``t_d`` token rows along
depth. After the ViT, tokens are max-pooled by (pool_z, 2, 2), pool_z = 2 when the depth
token grid has more than 4 rows.
"""

from __future__ import annotations

import math

from vividmed_viewer.core.errors import ModelError

MAX_DEPTH_PATCH = 16
DEPTH_POOL_THRESHOLD = 4


def depth_patch_size(depth_voxels: int, threshold: int = 4, maximum: int = MAX_DEPTH_PATCH) -> int:
    """Effective depth patch ``P'd`` for an image with ``depth_voxels`` slices."""
    if depth_voxels < 1:
        raise ModelError(f"an image needs at least one slice, got depth {depth_voxels}")
    if threshold < 1:
        raise ModelError(f"depth_token_threshold must be >= 1, got {threshold}")
    if depth_voxels <= threshold:
        return 1
    exponent = round(math.log2(depth_voxels / threshold))
    return int(min(max(2**exponent, 1), maximum))


def depth_pool_size(depth_tokens: int) -> int:
    """pool_z: 2 when the depth token grid has more than 4 rows, else 1."""
    return 2 if depth_tokens > DEPTH_POOL_THRESHOLD else 1


def token_grid(
    shape_dhw: tuple[int, int, int], patch_size: int = 16, threshold: int = 4
) -> tuple[int, int, int]:
    """ViT token grid (d, h, w) for an input of ``shape_dhw`` (padded up to whole patches)."""
    depth, height, width = (int(v) for v in shape_dhw)
    depth_patch = depth_patch_size(depth, threshold, maximum=patch_size)
    return (
        math.ceil(depth / depth_patch),
        math.ceil(height / patch_size),
        math.ceil(width / patch_size),
    )


def pooled_token_grid(
    shape_dhw: tuple[int, int, int],
    patch_size: int = 16,
    threshold: int = 4,
    pool_in_plane: int = 2,
) -> tuple[int, int, int]:
    """Token grid after the (pool_z, 2, 2) max-pool (ceil mode)."""
    d, h, w = token_grid(shape_dhw, patch_size, threshold)
    pool_z = depth_pool_size(d)
    return (
        math.ceil(d / pool_z),
        math.ceil(h / pool_in_plane),
        math.ceil(w / pool_in_plane),
    )


def pooled_token_count(
    shape_dhw: tuple[int, int, int],
    patch_size: int = 16,
    threshold: int = 4,
    pool_in_plane: int = 2,
) -> int:
    """Number of vision tokens the language model receives for an input of ``shape_dhw``."""
    d, h, w = pooled_token_grid(shape_dhw, patch_size, threshold, pool_in_plane)
    return d * h * w


def depth_stride(depth_voxels: int, threshold: int = 4, patch_size: int = 16) -> int:
    """Voxels along depth per pooled token row (``P'd · pool_z``) for this depth."""
    depth_patch = depth_patch_size(depth_voxels, threshold, maximum=patch_size)
    return depth_patch * depth_pool_size(math.ceil(depth_voxels / depth_patch))


def is_self_consistent_depth(depth_voxels: int, threshold: int = 4, patch_size: int = 16) -> bool:
    """Whether ``depth_voxels`` is a whole number of pooled rows under its own rule."""
    return depth_voxels % depth_stride(depth_voxels, threshold, patch_size) == 0


def padded_depth(depth_voxels: int, threshold: int = 4, patch_size: int = 16) -> int:
    """Smallest depth >= ``depth_voxels`` that is a whole number of (P'd · pool_z) strides.

    The rule is evaluated on the padded depth itself (the ViT only sees that), so padding
    never changes the patch size the encoder will pick.
    """
    candidate = max(1, int(depth_voxels))
    while not is_self_consistent_depth(candidate, threshold, patch_size):
        candidate += 1
    return candidate
