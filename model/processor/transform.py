"""``ImageTransform``: what the processor did to an image, with its exact inverse.

The model grid is the resized image padded at the far end of each axis. Per axis, an
original of ``n`` voxels resized to ``m`` has ``scale = n / m`` original voxels per model
voxel; voxel edges map to voxel edges (edge coordinate ``e_original = e_model · scale``).
Normalized box coordinates are relative to the padded model grid (what the localization
models see): ``u = e_model / padded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray

from model.processor.image_grid import ImageGrid
from model.processor.intensity import IntensityRecord
from model.processor.resample import pad_to, resample_volume
from model.processor.voxel_box import BoxCorners, VoxelBox
from vividmed_viewer.core.errors import ModelError

#: A model voxel counts as touched by a mask when at least this fraction of it is inside.
TOUCHED_FRACTION = 1e-3


@dataclass(frozen=True)
class ImageTransform:
    """The processor's record: original grid, resized and padded shapes, intensity map."""

    original: ImageGrid
    resized_shape: tuple[int, int, int]
    padded_shape: tuple[int, int, int]
    intensity: IntensityRecord = field(
        default_factory=lambda: IntensityRecord(0.0, 1.0, False, "none")
    )

    @property
    def original_shape(self) -> tuple[int, int, int]:
        return self.original.shape

    @property
    def scale(self) -> NDArray[np.float64]:
        """Original voxels per model voxel along (z, y, x)."""
        return np.asarray(self.original.shape, dtype=float) / np.asarray(
            self.resized_shape, dtype=float
        )

    def model_geometry(self) -> ImageGrid:
        """Patient geometry of the padded model grid (same directions, scaled spacing)."""
        scale = self.scale
        origin = self.original.index_to_patient(0.5 * scale - 0.5)
        return ImageGrid(
            self.padded_shape,
            tuple(np.asarray(self.original.spacing) * scale),
            tuple(origin),
            self.original.direction,
        )

    def model_to_original_index(self, points: ArrayLike) -> NDArray[np.float64]:
        """Continuous model indices (..., 3) → continuous original indices (..., 3)."""
        return (np.asarray(points, dtype=float) + 0.5) * self.scale - 0.5

    def original_to_model_index(self, points: ArrayLike) -> NDArray[np.float64]:
        """Continuous original indices (..., 3) → continuous model indices (..., 3)."""
        return (np.asarray(points, dtype=float) + 0.5) / self.scale - 0.5

    def model_to_patient(self, points: ArrayLike) -> NDArray[np.float64]:
        """Continuous model indices (..., 3) → LPS millimetres."""
        return self.original.index_to_patient(self.model_to_original_index(points))

    def _crop(self, values: torch.Tensor) -> torch.Tensor:
        shape = tuple(values.shape)
        if shape == self.padded_shape:
            depth, height, width = self.resized_shape
            return values[:depth, :height, :width]
        if shape == self.resized_shape:
            return values
        raise ModelError(
            f"a model-grid mask must have shape {self.padded_shape} (padded) or "
            f"{self.resized_shape} (resized), got {shape}"
        )

    def mask_to_image(self, mask_model_grid: torch.Tensor | NDArray[Any]) -> NDArray[np.uint8]:
        """A model-grid mask (bool, or probabilities in [0, 1]) → 0/1 uint8 on the original grid.

        The mask is resampled linearly to the original voxels and thresholded at 0.5.
        """
        values = self._crop(_as_float_tensor(mask_model_grid))
        original = resample_volume(values, self.original.shape)
        return (original >= 0.5).to(torch.uint8).numpy()

    def label_map_to_model(
        self, mask: NDArray[Any] | torch.Tensor, keep_touched: bool = False
    ) -> torch.Tensor:
        """A binary mask on the original grid → a 0/1 float tensor on the padded model grid.

        A model voxel is inside when at least half of it is. With ``keep_touched``, a mask
        that this rule would erase entirely (a thin structure on a coarse grid) keeps every
        model voxel it touches instead, so a present target never becomes an empty one.
        """
        values = _as_float_tensor(mask)
        if values.ndim == 2:
            values = values[None]
        if tuple(values.shape) != self.original.shape:
            raise ModelError(
                f"mask shape {tuple(values.shape)} does not match the image shape "
                f"{self.original.shape}"
            )
        inside = (values > 0).float()
        fraction = resample_volume(inside, self.resized_shape)
        resized = (fraction >= 0.5).float()
        if keep_touched and not resized.any() and inside.any():
            resized = (fraction > TOUCHED_FRACTION).float()
        return pad_to(resized, self.padded_shape)

    def boxes_to_image(
        self,
        boxes_normalized: torch.Tensor | NDArray[Any],
        scores: Sequence[float] | torch.Tensor | NDArray[Any] | None = None,
    ) -> list[VoxelBox]:
        """Normalized centre-size boxes [M, 6] → boxes of whole original voxels.

        A voxel belongs to a box when its centre lies inside it; a box thinner than a voxel
        keeps the voxel under its centre. Boxes are clipped to the image.
        """
        values = np.asarray(
            boxes_normalized.detach().cpu().numpy()
            if isinstance(boxes_normalized, torch.Tensor)
            else boxes_normalized,
            dtype=float,
        ).reshape(-1, 6)
        score_values = (
            [None] * len(values)
            if scores is None
            else [float(s) for s in np.asarray(torch.as_tensor(scores).detach().cpu()).reshape(-1)]
        )
        if len(score_values) != len(values):
            raise ModelError(f"{len(values)} boxes but {len(score_values)} scores")
        padded = np.asarray(self.padded_shape, dtype=float)
        to_original = padded * self.scale
        limits = np.asarray(self.original.shape) - 1
        boxes = []
        for box, score in zip(values, score_values, strict=True):
            low_edge = (box[:3] - box[3:] / 2) * to_original
            high_edge = (box[:3] + box[3:] / 2) * to_original
            low = np.ceil(low_edge - 0.5 - 1e-6)
            high = np.floor(high_edge - 0.5 + 1e-6)
            thin = high < low
            centre = np.floor((low_edge + high_edge) / 2)
            low = np.where(thin, centre, low).clip(0, limits)
            high = np.where(thin, centre, high).clip(0, limits)
            high = np.maximum(high, low)
            low_zyx = (float(low[0]), float(low[1]), float(low[2]))
            high_zyx = (float(high[0]), float(high[1]), float(high[2]))
            boxes.append(VoxelBox(low_zyx, high_zyx, score))
        return boxes

    def boxes_to_model(self, boxes: Sequence[BoxCorners]) -> torch.Tensor:
        """Original-grid boxes → normalized centre-size boxes [M, 6] on the padded model grid."""
        if not boxes:
            return torch.zeros(0, 6)
        padded = np.asarray(self.padded_shape, dtype=float)
        rows = []
        for box in boxes:
            low = np.asarray(box.minimum) / self.scale / padded
            high = (np.asarray(box.maximum) + 1.0) / self.scale / padded
            rows.append(np.concatenate([(low + high) / 2, high - low]))
        return torch.as_tensor(np.stack(rows), dtype=torch.float32)

    def to_dict(self) -> dict[str, Any]:
        return {
            "original": self.original.to_dict(),
            "resized_shape": list(self.resized_shape),
            "padded_shape": list(self.padded_shape),
            "intensity": self.intensity.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageTransform:
        intensity = data.get("intensity", {})
        return cls(
            original=ImageGrid.from_dict(data["original"]),
            resized_shape=tuple(data["resized_shape"]),
            padded_shape=tuple(data["padded_shape"]),
            intensity=IntensityRecord(
                float(intensity.get("lower", 0.0)),
                float(intensity.get("upper", 1.0)),
                bool(intensity.get("inverted", False)),
                str(intensity.get("source", "none")),
            ),
        )


def _as_float_tensor(values: torch.Tensor | NDArray[Any]) -> torch.Tensor:
    """A CPU float32 tensor from an array or tensor of any numeric or bool dtype."""
    if isinstance(values, torch.Tensor):
        return values.detach().to("cpu", torch.float32)
    return torch.from_numpy(np.asarray(values, dtype=np.float32))
