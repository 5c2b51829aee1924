"""Split a series' frames into stacks (one orientation and frame size each) and order them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.io.dicom.header import FrameInfo, SliceHeader
from vividmed_viewer.io.dicom.sop_classes import RADIOGRAPH_MODALITIES

PLANE_NAMES = ("sagittal", "coronal", "axial")


@dataclass
class Stack:
    """Frames of one series that share orientation and size, ordered along the slice normal."""

    label: str
    rows: int
    columns: int
    orientation: tuple[float, ...] | None
    frames: list[FrameInfo] = field(default_factory=list)
    headers: list[SliceHeader] = field(default_factory=list)

    @property
    def normal(self) -> NDArray[np.float64] | None:
        if self.orientation is None:
            return None
        normal = np.cross(self.orientation[:3], self.orientation[3:])
        norm = float(np.linalg.norm(normal))
        return normal / norm if norm > 0 else None

    @property
    def positioned(self) -> bool:
        """Whether every frame has a position, so frames can be ordered along the normal."""
        return self.normal is not None and all(f.position is not None for f in self.frames)

    def distances(self) -> list[float]:
        """Each frame's position projected on the slice normal (mm)."""
        normal = self.normal
        assert normal is not None
        return [float(np.dot(f.position, normal)) for f in self.frames if f.position is not None]


def plane_name(orientation: tuple[float, ...] | None) -> str:
    """ "axial", "coronal", "sagittal" or "oblique" from ImageOrientationPatient."""
    if orientation is None:
        return "image"
    normal = np.cross(orientation[:3], orientation[3:])
    normal = normal / max(float(np.linalg.norm(normal)), 1e-12)
    dominant = int(np.argmax(np.abs(normal)))
    return PLANE_NAMES[dominant] if abs(normal[dominant]) > 0.95 else "oblique"


def _orientation_key(orientation: tuple[float, ...] | None) -> tuple[float, ...] | None:
    return None if orientation is None else tuple(round(v, 3) for v in orientation)


def _sort_frames(stack: Stack) -> None:
    if stack.positioned:
        normal = stack.normal
        assert normal is not None
        stack.frames.sort(
            key=lambda f: (
                float(np.dot(f.position or (0.0, 0.0, 0.0), normal)),
                f.instance_number,
                str(f.path),
            )
        )
    else:
        stack.frames.sort(key=lambda f: (f.instance_number, str(f.path), f.frame_index))
    seen: set[str] = set()
    ordered: list[SliceHeader] = []
    by_path = {str(h.path): h for h in stack.headers}
    for frame in stack.frames:
        if str(frame.path) not in seen:
            seen.add(str(frame.path))
            ordered.append(by_path[str(frame.path)])
    stack.headers = ordered


def build_stacks(headers: list[SliceHeader]) -> list[Stack]:
    """Group the image frames of one series by orientation and size, each ordered by position.

    Radiographs without a patient position each become their own stack. Labels are empty
    when the series holds a single stack.
    """
    groups: dict[tuple[object, ...], Stack] = {}
    loose_count: defaultdict[str, int] = defaultdict(int)
    for header in headers:
        if not header.is_image:
            continue
        for frame in header.frames:
            key: tuple[object, ...] = (
                _orientation_key(frame.orientation),
                header.rows,
                header.columns,
            )
            if (
                header.modality in RADIOGRAPH_MODALITIES
                and frame.position is None
                and not header.is_multiframe
            ):
                key = ("single", str(header.path))
            if key not in groups:
                groups[key] = Stack("", header.rows, header.columns, frame.orientation)
            stack = groups[key]
            stack.frames.append(frame)
            if not stack.headers or stack.headers[-1] is not header:
                stack.headers.append(header)
    stacks = list(groups.values())
    for stack in stacks:
        _sort_frames(stack)
    stacks.sort(key=lambda s: (-len(s.frames), str(s.headers[0].path)))
    if len(stacks) > 1:
        for stack in stacks:
            base = f"{plane_name(stack.orientation)} {stack.columns}x{stack.rows}"
            loose_count[base] += 1
            count = loose_count[base]
            stack.label = base if count == 1 else f"{base} ({count})"
    return stacks
