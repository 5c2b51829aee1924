"""Training samples: one image, its conversation and phrase targets → tensors; the collator."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from model.text.prompt import ChatTurn, EncodedPrompt, encode_conversation
from model.text.special_tokens import IGNORE_INDEX, TokenIds
from vividmed_viewer.core.errors import ModelError

TargetKind = Literal["mask", "boxes"]


@dataclass
class PhraseTarget:
    """Where one grounded phrase is, in the model's image space.

    ``mask``: [D, H, W] (0/1) on the grid of ``localization_values``; ``boxes``: [M, 6]
    normalized centre-size (cz, cy, cx, d, h, w). A negative phrase has an empty target
    (an all-zero mask or zero boxes). ``prompt`` [d_loc], when given, is the prompt the
    localization models already answer for this target (stage 0's): ``vg_proj`` is pulled
    towards it with weight ``prompt_weight`` (see ``model.modeling.grounding_loss``).
    """

    kind: TargetKind
    mask: torch.Tensor | None = None
    boxes: torch.Tensor | None = None
    prompt: torch.Tensor | None = None
    prompt_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.kind == "mask" and self.mask is None:
            raise ModelError("a mask phrase target needs a mask")
        if self.kind == "boxes":
            if self.boxes is None:
                self.boxes = torch.zeros(0, 6)
            if self.boxes.ndim != 2 or self.boxes.shape[-1] != 6:
                raise ModelError(
                    f"boxes must be [M, 6] centre-size, got shape {tuple(self.boxes.shape)}"
                )

    @classmethod
    def empty(cls, kind: TargetKind, spatial_shape: Sequence[int]) -> PhraseTarget:
        """The target of a negative phrase: nothing to find."""
        if kind == "mask":
            return cls("mask", mask=torch.zeros(tuple(spatial_shape)))
        return cls("boxes", boxes=torch.zeros(0, 6))


@dataclass
class TrainingSample:
    """One image with its conversation; ``targets`` are in phrase order (negatives included).

    ``pixel_values``: [3, D, H, W] CLIP-normalized; ``localization_values``: [1, D', H', W']
    in [0, 1] (both from :class:`model.processor.VividMedImageProcessor`).
    """

    pixel_values: torch.Tensor
    localization_values: torch.Tensor
    turns: list[ChatTurn]
    grounded: bool
    targets: list[PhraseTarget] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The processor returns [1, C, D, H, W]; a sample holds one image.
        if self.pixel_values.ndim == 5 and self.pixel_values.shape[0] == 1:
            self.pixel_values = self.pixel_values[0]
        if self.localization_values.ndim == 5 and self.localization_values.shape[0] == 1:
            self.localization_values = self.localization_values[0]
        if self.pixel_values.ndim != 4 or self.localization_values.ndim != 4:
            raise ModelError(
                "pixel_values and localization_values must be [C, D, H, W], got "
                f"{list(self.pixel_values.shape)} and {list(self.localization_values.shape)}"
            )


@dataclass
class EncodedSample:
    """A sample's prompt encoding next to its image tensors and targets."""

    prompt: EncodedPrompt
    pixel_values: torch.Tensor
    localization_values: torch.Tensor
    targets: list[PhraseTarget]


def encode_sample(
    tokenizer: Any, ids: TokenIds, sample: TrainingSample, open_weight: float = 5.0
) -> EncodedSample:
    """Tokenize a sample; the number of tagged phrases must equal the number of targets."""
    prompt = encode_conversation(
        tokenizer, ids, sample.turns, grounded=sample.grounded, open_weight=open_weight
    )
    targets = sample.targets if sample.grounded else []
    if len(prompt.phrase_positions) != len(targets):
        raise ModelError(
            f"the answer tags {len(prompt.phrase_positions)} phrases "
            f"{prompt.phrase_texts} but the sample has {len(targets)} targets"
        )
    return EncodedSample(prompt, sample.pixel_values, sample.localization_values, list(targets))


def _stack_or_list(tensors: list[torch.Tensor]) -> torch.Tensor | list[torch.Tensor]:
    if all(t.shape == tensors[0].shape for t in tensors):
        return torch.stack(tensors)
    return tensors


@dataclass
class VividMedCollator:
    """Pads encoded samples (right) into a batch for :meth:`VividMedForCausalLM.forward`.

    Images of different shapes are passed as lists; equal shapes are stacked.
    """

    pad_id: int

    def __call__(self, samples: Sequence[EncodedSample]) -> dict[str, Any]:
        if not samples:
            raise ModelError("cannot collate an empty batch")
        length = max(len(s.prompt.input_ids) for s in samples)
        batch = len(samples)
        input_ids = torch.full((batch, length), self.pad_id, dtype=torch.long)
        labels = torch.full((batch, length), IGNORE_INDEX, dtype=torch.long)
        weights = torch.zeros(batch, length)
        attention = torch.zeros(batch, length, dtype=torch.long)
        for row, sample in enumerate(samples):
            n = len(sample.prompt.input_ids)
            input_ids[row, :n] = torch.tensor(sample.prompt.input_ids)
            labels[row, :n] = torch.tensor(sample.prompt.labels)
            weights[row, :n] = torch.tensor(sample.prompt.weights)
            attention[row, :n] = 1
        return {
            "input_ids": input_ids,
            "attention_mask": attention,
            "labels": labels,
            "label_weights": weights,
            "pixel_values": _stack_or_list([s.pixel_values for s in samples]),
            "localization_values": _stack_or_list([s.localization_values for s in samples]),
            "phrase_targets": [list(s.targets) for s in samples],
        }
