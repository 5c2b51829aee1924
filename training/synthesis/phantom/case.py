"""``PhantomCase``: one synthetic chest (CT + DRR), its labels, report and tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core import Box, ImageVolume, ValidationError

ImageKind = Literal["ct", "drr"]
IMAGE_KINDS = ("ct", "drr")


def check_image_kind(kind: str) -> None:
    """Raise unless ``kind`` is "ct" or "drr"."""
    if kind not in IMAGE_KINDS:
        raise ValidationError(f"image must be 'ct' or 'drr', got {kind!r}")


class PhraseTag(TypedDict, total=False):
    """A tagged phrase of a report: ``text[start:end] == phrase`` names ``target``.

    ``instances`` (optional) lists which of the target's boxes the phrase means.
    """

    phrase: str
    target: str
    start: int
    end: int
    instances: list[int]


@dataclass
class PhantomCase:
    """A generated chest phantom: CT, DRR, masks and boxes on both, reports with tags.

    ``ct_masks``/``drr_masks`` map taxonomy target names to uint8 arrays on the CT / DRR
    grid; ``ct_boxes``/``drr_boxes`` map abnormality targets to one box per instance.
    """

    seed: int
    ct: ImageVolume
    ct_masks: dict[str, NDArray[np.uint8]]
    ct_boxes: dict[str, list[Box]]
    drr: ImageVolume
    drr_masks: dict[str, NDArray[np.uint8]]
    drr_boxes: dict[str, list[Box]]
    report: str
    tags: list[PhraseTag]
    drr_report: str
    drr_tags: list[PhraseTag]
    findings: dict[str, Any] = field(default_factory=dict)

    def image(self, kind: str) -> ImageVolume:
        check_image_kind(kind)
        return self.ct if kind == "ct" else self.drr

    def masks(self, kind: str) -> dict[str, NDArray[np.uint8]]:
        check_image_kind(kind)
        return self.ct_masks if kind == "ct" else self.drr_masks

    def boxes(self, kind: str) -> dict[str, list[Box]]:
        check_image_kind(kind)
        return self.ct_boxes if kind == "ct" else self.drr_boxes

    def report_and_tags(self, kind: str) -> tuple[str, list[PhraseTag]]:
        check_image_kind(kind)
        return (self.report, self.tags) if kind == "ct" else (self.drr_report, self.drr_tags)

    @property
    def present_targets(self) -> list[str]:
        """Every target with a non-empty mask or at least one box, in taxonomy-file order."""
        names = [name for name, mask in self.ct_masks.items() if mask.any()]
        names += [name for name, boxes in self.ct_boxes.items() if boxes and name not in names]
        return names
