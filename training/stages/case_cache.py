"""Generated phantom cases cached on disk (npz arrays + JSON), so each seed is made once.

Files hold only arrays and JSON (``allow_pickle=False``); the folder name carries a hash of
the generator settings, so changing them never reuses stale cases.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import OrderedDict
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np

from vividmed_viewer.core import Box, ImageVolume, VolumeMetadata, WindowLevel
from vividmed_viewer.core.errors import TrainingError
from vividmed_viewer.core.image_volume import SpacingSource

logger = logging.getLogger(__name__)

KINDS = ("ct", "drr")


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in a case cache")


def _volume_header(volume: ImageVolume) -> dict[str, Any]:
    return {
        "spacing": list(volume.spacing),
        "origin": list(volume.origin),
        "direction": np.asarray(volume.direction).tolist(),
        "modality": volume.modality,
        "window": [volume.window.center, volume.window.width] if volume.window else None,
        "invert_for_display": volume.invert_for_display,
        "metadata": asdict(volume.metadata),
    }


def _volume_from(voxels: np.ndarray, header: dict[str, Any]) -> ImageVolume:
    metadata = dict(header["metadata"])
    known = {f.name for f in fields(VolumeMetadata)}
    metadata = {k: v for k, v in metadata.items() if k in known}
    if "spacing_source" in metadata:
        metadata["spacing_source"] = SpacingSource(metadata["spacing_source"])
    window = header["window"]
    return ImageVolume(
        voxels=voxels,
        spacing=tuple(header["spacing"]),
        origin=tuple(header["origin"]),
        direction=np.asarray(header["direction"], dtype=np.float64),
        modality=header["modality"],
        window=WindowLevel(*window) if window else None,
        invert_for_display=bool(header["invert_for_display"]),
        metadata=VolumeMetadata(**metadata),
    )


def save_case(case: Any, path: Path) -> None:
    """Write a ``PhantomCase`` to ``path`` (an ``.npz``; written atomically)."""
    arrays: dict[str, np.ndarray] = {"ct": case.ct.voxels, "drr": case.drr.voxels}
    header: dict[str, Any] = {
        "seed": case.seed,
        "volumes": {kind: _volume_header(case.image(kind)) for kind in KINDS},
        "masks": {kind: list(case.masks(kind)) for kind in KINDS},
        "boxes": {
            kind: {name: [b.to_dict() for b in boxes] for name, boxes in case.boxes(kind).items()}
            for kind in KINDS
        },
        "report": case.report,
        "tags": case.tags,
        "drr_report": case.drr_report,
        "drr_tags": case.drr_tags,
        "findings": case.findings,
    }
    for kind in KINDS:
        for number, mask in enumerate(case.masks(kind).values()):
            arrays[f"mask_{kind}_{number}"] = np.packbits(mask.astype(bool), axis=None)
    arrays["header"] = np.frombuffer(
        json.dumps(header, default=_jsonable).encode("utf-8"), dtype=np.uint8
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp.npz")
    save_arrays: Any = np.savez_compressed  # numpy's stub mistypes **arrays
    save_arrays(temporary, **arrays)
    temporary.replace(path)


def load_case(path: Path) -> Any:
    """Read a case written by ``save_case``."""
    from training.synthesis.phantom import PhantomCase

    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode("utf-8"))
            volumes = {kind: _volume_from(data[kind], header["volumes"][kind]) for kind in KINDS}
            masks: dict[str, dict[str, np.ndarray]] = {}
            for kind in KINDS:
                shape = volumes[kind].shape
                size = int(np.prod(shape))
                masks[kind] = {
                    name: np.unpackbits(data[f"mask_{kind}_{number}"], count=size)
                    .reshape(shape)
                    .astype(np.uint8)
                    for number, name in enumerate(header["masks"][kind])
                }
    except (OSError, ValueError, KeyError) as error:
        raise TrainingError(f"{path}: damaged phantom cache file ({error}); delete it") from error
    boxes = {
        kind: {
            name: [Box.from_dict(b) for b in items] for name, items in header["boxes"][kind].items()
        }
        for kind in KINDS
    }
    return PhantomCase(
        seed=int(header["seed"]),
        ct=volumes["ct"],
        ct_masks=masks["ct"],
        ct_boxes=boxes["ct"],
        drr=volumes["drr"],
        drr_masks=masks["drr"],
        drr_boxes=boxes["drr"],
        report=header["report"],
        tags=header["tags"],
        drr_report=header["drr_report"],
        drr_tags=header["drr_tags"],
        findings=header["findings"],
    )


class PhantomCaseCache:
    """``case(seed)``: generate once, then read from ``directory``; a few kept in memory."""

    def __init__(self, directory: Path | None, options: dict[str, Any], in_memory: int = 4) -> None:
        from training.synthesis.phantom import PhantomConfig

        try:
            self.config = PhantomConfig(**options)
        except TypeError as error:
            raise TrainingError(f"data.phantom_options: {error}") from error
        digest = hashlib.sha1(repr(self.config).encode()).hexdigest()[:10]
        self.directory = directory / f"phantoms-{digest}" if directory else None
        self.in_memory = in_memory
        self._recent: OrderedDict[int, Any] = OrderedDict()

    def case(self, seed: int) -> Any:
        """The phantom of ``seed`` (deterministic)."""
        if seed in self._recent:
            self._recent.move_to_end(seed)
            return self._recent[seed]
        path = self.directory / f"case-{seed:07d}.npz" if self.directory else None
        if path is not None and path.exists():
            case = load_case(path)
        else:
            from training.synthesis.phantom import generate_phantom

            case = generate_phantom(seed, self.config)
            if path is not None:
                save_case(case, path)
        self._recent[seed] = case
        while len(self._recent) > self.in_memory:
            self._recent.popitem(last=False)
        return case
