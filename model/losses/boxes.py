"""Box conversions and the generalized IoU for 3D boxes (2D boxes as a special case).

Centre-size boxes are ``(cz, cy, cx, d, h, w)``; corner boxes are
``(z0, y0, x0, z1, y1, x1)``. 2D boxes drop the z entries: ``(cy, cx, h, w)`` and
``(y0, x0, y1, x1)``. Every function works on the last axis, so any leading shape is fine.
"""

from __future__ import annotations

import torch

from vividmed_viewer.core.errors import ModelError


def _dimensions(boxes: torch.Tensor) -> int:
    size = boxes.shape[-1]
    if size not in (4, 6):
        raise ModelError(
            f"boxes must have 4 (2D) or 6 (3D) numbers on the last axis, got {list(boxes.shape)}"
        )
    return size // 2


def center_size_to_corners(boxes: torch.Tensor) -> torch.Tensor:
    """(centre, size) → (low corner, high corner)."""
    dims = _dimensions(boxes)
    center, size = boxes[..., :dims], boxes[..., dims:]
    return torch.cat([center - size / 2, center + size / 2], dim=-1)


def corners_to_center_size(boxes: torch.Tensor) -> torch.Tensor:
    """(low corner, high corner) → (centre, size)."""
    dims = _dimensions(boxes)
    low, high = boxes[..., :dims], boxes[..., dims:]
    return torch.cat([(low + high) / 2, high - low], dim=-1)


def box_volume(corners: torch.Tensor) -> torch.Tensor:
    """Volume (area in 2D) of corner boxes; inverted boxes count as 0."""
    dims = _dimensions(corners)
    return (corners[..., dims:] - corners[..., :dims]).clamp(min=0).prod(dim=-1)


def box_iou(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Pairwise IoU [N, M] of corner boxes a [N, 2k] and b [M, 2k], and their union."""
    dims = _dimensions(a)
    if b.shape[-1] != a.shape[-1]:
        raise ModelError(f"cannot compare boxes of sizes {a.shape[-1]} and {b.shape[-1]}")
    low = torch.maximum(a[:, None, :dims], b[None, :, :dims])
    high = torch.minimum(a[:, None, dims:], b[None, :, dims:])
    intersection = (high - low).clamp(min=0).prod(dim=-1)
    union = box_volume(a)[:, None] + box_volume(b)[None, :] - intersection
    return intersection / union.clamp(min=1e-12), union


def generalized_box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise generalized IoU [N, M] of corner boxes (3D with 6 numbers, 2D with 4).

    GIoU = IoU − (enclosing − union) / enclosing, in [−1, 1]; 1 only for identical boxes.
    """
    dims = _dimensions(a)
    iou, union = box_iou(a, b)
    low = torch.minimum(a[:, None, :dims], b[None, :, :dims])
    high = torch.maximum(a[:, None, dims:], b[None, :, dims:])
    enclosing = (high - low).clamp(min=0).prod(dim=-1)
    return iou - (enclosing - union) / enclosing.clamp(min=1e-12)
