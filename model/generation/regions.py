"""From a phrase's hidden state to masks/boxes on the original image grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch

from model.generation.phrase_stream import PhraseSpan
from model.generation.result import GeneratedPhrase, GenerationSettings
from model.processor import ImageTransform
from vividmed_viewer.core.taxonomy import TargetCategory, Taxonomy

if TYPE_CHECKING:
    from model.modeling import VividMedForCausalLM


def resolve_target(taxonomy: Taxonomy, phrase: str) -> tuple[str, str]:
    """(target name, category) of a phrase: exact name/synonym, else the longest term it contains.

    Unknown phrases keep their own text and the category ``unknown``.
    """
    target = taxonomy.resolve(phrase)
    if target is None:
        lowered = f" {phrase.lower()} "
        terms = sorted(taxonomy.terms().items(), key=lambda item: -len(item[0]))
        for term, candidate in terms:
            if f" {term} " in lowered:
                target = candidate
                break
    if target is None:
        return phrase, "unknown"
    return target.name, target.category.value


@dataclass
class RegionLocalizer:
    """Runs vg_proj and the localization models for one image, encoding it at most once each."""

    model: VividMedForCausalLM
    image01: torch.Tensor
    transform: ImageTransform
    taxonomy: Taxonomy
    settings: GenerationSettings
    _embeddings: dict[str, torch.Tensor] = field(default_factory=dict)

    def _embedding(self, name: str) -> torch.Tensor:
        if name not in self._embeddings:
            localizer = self.model.semantic if name == "mask" else self.model.instance
            self._embeddings[name] = localizer.encode_image(self.image01[None])
        return self._embeddings[name]

    def _wants(self, category: str) -> tuple[bool, bool]:
        heads = self.settings.heads
        if heads == "both":
            return True, True
        if heads in ("mask", "boxes"):
            return heads == "mask", heads == "boxes"
        boxes = category == TargetCategory.ABNORMALITY.value
        return not boxes, boxes

    def localize(self, index: int, span: PhraseSpan, hidden: torch.Tensor) -> GeneratedPhrase:
        """The phrase with its regions, from the hidden state that predicted its ``</p>``."""
        target, category = resolve_target(self.taxonomy, span.text)
        phrase = GeneratedPhrase(index, span.start, span.end, span.text, target, category)
        prompt = self.model.phrase_prompts(hidden.reshape(1, -1))
        wants_mask, wants_boxes = self._wants(category)
        if wants_mask:
            logits = self.model.localize_masks(self.image01, prompt, self._embedding("mask"))[0]
            probability = torch.sigmoid(logits.float())
            inside = (probability > self.settings.mask_threshold).float()
            phrase.mask = self.transform.mask_to_image(inside.cpu())
            # Mean probability inside, without gathering by a boolean index (slow on big grids).
            count = float(inside.sum())
            phrase.mask_score = float(probability.mul_(inside).sum()) / count if count else 0.0
        if wants_boxes:
            output = self.model.localize_boxes(self.image01, prompt, self._embedding("boxes"))
            scores = torch.sigmoid(output.logits[0].float())
            keep = scores > self.settings.box_threshold
            boxes = output.boxes[0][keep].float().cpu()
            kept_scores = scores[keep].cpu()
            order = torch.argsort(kept_scores, descending=True)
            phrase.boxes = self.transform.boxes_to_image(boxes[order], kept_scores[order])
            phrase.box_scores = [float(s) for s in kept_scores[order]]
        return phrase
