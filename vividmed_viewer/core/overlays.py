"""Model output and loaded annotations shown on top of an image: masks and boxes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import SerializationError, ValidationError
from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.mask_codec import decode_label_map, encode_label_map

Colour = tuple[int, int, int]
DEFAULT_COLOUR: Colour = (255, 200, 0)


def new_overlay_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def validate_colour(colour: Any) -> Colour:
    values = tuple(int(c) for c in colour)
    if len(values) != 3 or min(values) < 0 or max(values) > 255:
        raise ValidationError(f"colour must be 3 integers in 0..255, got {colour!r}")
    return (values[0], values[1], values[2])


@dataclass
class MaskOverlay:
    """One target's region as a label map (non-zero = inside) on a stated voxel grid.

    ``geometry`` is the grid the label map lives on: normally the image's own grid.
    Label maps are kept as uint8/uint16 (never probabilities).
    """

    target: str
    label_map: NDArray[np.integer]
    geometry: GridGeometry
    colour: Colour = DEFAULT_COLOUR
    overlay_id: str = field(default_factory=lambda: new_overlay_id("mask"))
    score: float | None = None

    def __post_init__(self) -> None:
        label_map = np.asarray(self.label_map)
        if label_map.ndim == 2:
            label_map = label_map[None]
        if label_map.dtype == bool:
            label_map = label_map.astype(np.uint8)
        if label_map.dtype not in (np.uint8, np.uint16):
            raise ValidationError(
                f"mask '{self.target}' must be uint8 or uint16 (or bool), got {label_map.dtype}"
            )
        if tuple(label_map.shape) != self.geometry.shape:
            raise ValidationError(
                f"mask '{self.target}' has shape {label_map.shape} but its grid is "
                f"{self.geometry.shape}"
            )
        if not self.target:
            raise ValidationError("a mask overlay needs a target name")
        self.label_map = label_map
        self.colour = validate_colour(self.colour)

    @property
    def voxel_count(self) -> int:
        return int(np.count_nonzero(self.label_map))

    @property
    def is_empty(self) -> bool:
        return self.voxel_count == 0

    @property
    def volume_ml(self) -> float:
        """Region volume in millilitres (area in cm² × slice spacing for one-slice grids)."""
        voxel_mm3 = float(np.prod(self.geometry.spacing))
        return self.voxel_count * voxel_mm3 / 1000.0

    @property
    def area_mm2_per_slice(self) -> float:
        """For 2D images: region area in mm²."""
        _, sy, sx = self.geometry.spacing
        return self.voxel_count * sy * sx

    def center_index(self) -> NDArray[np.float64]:
        """Centroid (z, y, x) of the region; the grid centre for an empty mask."""
        coordinates = np.argwhere(self.label_map)
        if coordinates.size == 0:
            return (np.asarray(self.geometry.shape, dtype=float) - 1) / 2.0
        return coordinates.mean(axis=0)

    def center_patient(self) -> NDArray[np.float64]:
        return self.geometry.index_to_patient(self.center_index())

    def bounding_box(self) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
        """Inclusive (min, max) voxel corners of the region, or None when empty."""
        coordinates = np.argwhere(self.label_map)
        if coordinates.size == 0:
            return None
        return coordinates.min(axis=0), coordinates.max(axis=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "mask",
            "id": self.overlay_id,
            "target": self.target,
            "colour": list(self.colour),
            "score": self.score,
            "geometry": self.geometry.to_dict(),
            "label_map": encode_label_map(self.label_map),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MaskOverlay:
        return cls(
            target=data["target"],
            label_map=decode_label_map(data["label_map"]),
            geometry=GridGeometry.from_dict(data["geometry"]),
            colour=tuple(data.get("colour", DEFAULT_COLOUR)),
            overlay_id=data["id"],
            score=data.get("score"),
        )


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in continuous voxel indices (z, y, x): ``minimum`` ≤ ``maximum``.

    A box covering voxels 3..5 along x has x_min = 3 and x_max = 5 (inclusive voxel centres).
    """

    minimum: tuple[float, float, float]
    maximum: tuple[float, float, float]
    score: float | None = None

    def __post_init__(self) -> None:
        low = tuple(float(v) for v in self.minimum)
        high = tuple(float(v) for v in self.maximum)
        if len(low) != 3 or len(high) != 3:
            raise ValidationError(
                f"box corners must be (z, y, x), got {self.minimum}, {self.maximum}"
            )
        if any(h < lo for lo, h in zip(low, high, strict=True)):
            raise ValidationError(f"box maximum {high} is below its minimum {low}")
        object.__setattr__(self, "minimum", low)
        object.__setattr__(self, "maximum", high)

    @property
    def center(self) -> NDArray[np.float64]:
        return (np.asarray(self.minimum) + np.asarray(self.maximum)) / 2.0

    def extent_mm(self, geometry: GridGeometry) -> NDArray[np.float64]:
        """Size along (z, y, x) in mm, counting whole voxels (max − min + 1)."""
        voxels = np.asarray(self.maximum) - np.asarray(self.minimum) + 1.0
        return voxels * np.asarray(geometry.spacing)

    def corners_patient(self, geometry: GridGeometry) -> NDArray[np.float64]:
        """The 8 corners in LPS mm, shape (8, 3)."""
        low, high = np.asarray(self.minimum), np.asarray(self.maximum)
        corners = np.array(
            [
                [z, y, x]
                for z in (low[0], high[0])
                for y in (low[1], high[1])
                for x in (low[2], high[2])
            ]
        )
        return geometry.index_to_patient(corners)

    def crosses_slice(self, axis: int, index: float) -> bool:
        return self.minimum[axis] - 0.5 <= index <= self.maximum[axis] + 0.5

    def to_dict(self) -> dict[str, Any]:
        return {"min": list(self.minimum), "max": list(self.maximum), "score": self.score}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Box:
        return cls(tuple(data["min"]), tuple(data["max"]), data.get("score"))


@dataclass
class BoxOverlay:
    """One target's boxes (e.g. the instances of "lung nodule") on a stated voxel grid."""

    target: str
    boxes: list[Box]
    geometry: GridGeometry
    colour: Colour = DEFAULT_COLOUR
    overlay_id: str = field(default_factory=lambda: new_overlay_id("boxes"))

    def __post_init__(self) -> None:
        if not self.target:
            raise ValidationError("a box overlay needs a target name")
        self.colour = validate_colour(self.colour)
        self.boxes = list(self.boxes)

    @property
    def is_empty(self) -> bool:
        return not self.boxes

    def center_index(self) -> NDArray[np.float64]:
        if not self.boxes:
            return (np.asarray(self.geometry.shape, dtype=float) - 1) / 2.0
        return np.mean([box.center for box in self.boxes], axis=0)

    def center_patient(self) -> NDArray[np.float64]:
        return self.geometry.index_to_patient(self.center_index())

    def boxes_patient(self) -> list[NDArray[np.float64]]:
        return [box.corners_patient(self.geometry) for box in self.boxes]

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "boxes",
            "id": self.overlay_id,
            "target": self.target,
            "colour": list(self.colour),
            "geometry": self.geometry.to_dict(),
            "boxes": [box.to_dict() for box in self.boxes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BoxOverlay:
        return cls(
            target=data["target"],
            boxes=[Box.from_dict(b) for b in data["boxes"]],
            geometry=GridGeometry.from_dict(data["geometry"]),
            colour=tuple(data.get("colour", DEFAULT_COLOUR)),
            overlay_id=data["id"],
        )


Overlay = MaskOverlay | BoxOverlay


def overlay_from_dict(data: dict[str, Any]) -> Overlay:
    kind = data.get("type")
    if kind == "mask":
        return MaskOverlay.from_dict(data)
    if kind == "boxes":
        return BoxOverlay.from_dict(data)
    raise SerializationError(f"unknown overlay type {kind!r} (expected 'mask' or 'boxes')")
