"""Training sample types: grounding targets, labelled cases and conversation samples."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core import Box, ImageVolume, ValidationError

PhraseTagDict = dict[str, object]  # {"phrase", "target", "start", "end"[, "instances"]}


@dataclass
class GroundingTarget:
    """What one grounded phrase should localize: a mask and/or boxes (both empty = absent).

    ``negative`` marks an ``<np>`` phrase: the model learns that the target is not there.
    """

    target: str
    mask: NDArray[np.uint8] | None = None
    boxes: list[Box] | None = None
    negative: bool = False

    def __post_init__(self) -> None:
        if self.mask is None and self.boxes is None and not self.negative:
            raise ValidationError(f"grounding target '{self.target}' needs a mask or boxes")

    @property
    def is_empty(self) -> bool:
        has_mask = self.mask is not None and bool(np.any(self.mask))
        return not has_mask and not self.boxes


@dataclass
class LabelledCase:
    """Any source's image with its labelled targets (and report): the builders' input."""

    image: ImageVolume
    masks: dict[str, NDArray[np.uint8]] = field(default_factory=dict)
    boxes: dict[str, list[Box]] = field(default_factory=dict)
    report: str | None = None
    tags: list[PhraseTagDict] = field(default_factory=list)
    source: str = ""
    unlabelled: frozenset[str] = frozenset()  # may be in the image without labels: never "absent"

    @property
    def present_targets(self) -> list[str]:
        names = [t for t, m in self.masks.items() if np.any(m)]
        return names + [t for t, b in self.boxes.items() if b and t not in names]

    def grounding_target(self, name: str, instances: list[int] | None = None) -> GroundingTarget:
        """The mask and boxes of a present target (boxes restricted to ``instances``)."""
        boxes = self.boxes.get(name)
        if boxes is not None and instances is not None:
            boxes = [boxes[i] for i in instances]
        mask = self.masks.get(name)
        if mask is None and boxes is None:
            raise ValidationError(f"'{name}' has no mask or boxes in case {self.source!r}")
        return GroundingTarget(name, mask, boxes)


@dataclass
class ConversationSample:
    """One training conversation about an image.

    ``turns`` are (question, answer) pairs; answers carry ``<p> phrase</p>`` (and ``<np>``)
    tags when ``grounded``; ``targets`` hold one entry per tagged phrase, in phrase order.
    """

    image: ImageVolume
    turns: list[tuple[str, str]]
    grounded: bool
    targets: list[GroundingTarget] = field(default_factory=list)
    source: str = ""
    stage: int = 0
