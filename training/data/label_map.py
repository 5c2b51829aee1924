"""Segmentation sets as labelled cases: label map + names → taxonomy targets, instance boxes."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from training.data.samples import LabelledCase
from vividmed_viewer.core import Box, ImageVolume, Taxonomy, ValidationError, default_taxonomy

logger = logging.getLogger(__name__)


def instance_boxes(mask: NDArray[np.generic], min_voxels: int = 1) -> list[Box]:
    """One box per connected component (26-connectivity) of a mask, largest first."""
    components, count = ndimage.label(np.asarray(mask) > 0, structure=np.ones((3, 3, 3)))
    boxes = []
    for index, found in enumerate(ndimage.find_objects(components), start=1):
        if found is None:
            continue
        size = int(np.count_nonzero(components[found] == index))
        if size < min_voxels:
            continue
        low = (float(found[0].start), float(found[1].start), float(found[2].start))
        high = (float(found[0].stop - 1), float(found[1].stop - 1), float(found[2].stop - 1))
        boxes.append((size, Box(low, high)))
    del count
    return [box for _, box in sorted(boxes, key=lambda item: -item[0])]


def labelled_case_from_label_map(
    image: ImageVolume,
    label_map: NDArray[np.integer],
    names: Mapping[int, str | None],
    taxonomy: Taxonomy | None = None,
    source: str = "",
    min_instance_voxels: int = 1,
) -> LabelledCase:
    """Targets from a label map: each value's name (or None) → a taxonomy target.

    Several values may map to one target (their union). Anatomy targets get masks,
    abnormalities also get one box per connected component.
    """
    taxonomy = taxonomy or default_taxonomy()
    labels = np.asarray(label_map)
    if labels.ndim == 2:
        labels = labels[None]
    if labels.shape != image.shape:
        raise ValidationError(
            f"label map shape {labels.shape} does not match the image shape {image.shape}"
        )
    masks: dict[str, NDArray[np.uint8]] = {}
    for value, name in names.items():
        if name is None:
            continue
        target = taxonomy.resolve(name)
        if target is None:
            raise ValidationError(f"label {value} '{name}' is not a taxonomy target or synonym")
        region = labels == value
        if not region.any():
            continue
        mask = masks.setdefault(target.name, np.zeros(labels.shape, np.uint8))
        mask |= region.astype(np.uint8)
    boxes = {
        name: instance_boxes(mask, min_instance_voxels)
        for name, mask in masks.items()
        if taxonomy[name].wants_boxes
    }
    return LabelledCase(image=image, masks=masks, boxes=boxes, source=source)
