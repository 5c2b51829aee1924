"""Teacher-forced grounding: the model reads a given grounded answer and localizes its phrases.

This measures the localization branch (vg_proj + localizers) apart from text generation:
the answer ``Results:<p> lungs</p>: yes,<p> heart</p>: yes.`` is fed as the assistant
turn, the hidden state at each step that predicts ``</p>`` becomes a prompt, and the
mask / box heads run on it (the stage-1 layout the model was trained on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class ProbeResult:
    """Per phrase: mask probabilities on the model grid, or boxes [Q, 6] with present scores."""

    mask_probabilities: list[torch.Tensor | None]
    boxes: list[torch.Tensor | None]
    box_scores: list[torch.Tensor | None]


def probe_answer(targets: Sequence[str]) -> tuple[str, str]:
    """The stage-1 question and grounded answer naming ``targets``."""
    from training.data.phrase_tags import tag_phrase
    from training.data.stage1 import presence_question

    names = list(targets)
    answer = "Results:" + ",".join(f"{tag_phrase(name)}: yes" for name in names) + "."
    return presence_question(names), answer


@torch.no_grad()
def probe_targets(
    pipeline: Any, processed: Any, targets: Sequence[str], kinds: Sequence[str]
) -> ProbeResult:
    """Localize each of ``targets`` (``kinds[i]`` is ``"mask"`` or ``"boxes"``) on one image."""
    from model.text import ChatTurn, encode_conversation

    model = pipeline.model
    question, answer = probe_answer(targets)
    prompt = encode_conversation(
        pipeline.tokenizer, pipeline.token_ids, [ChatTurn(question, answer)], grounded=True
    )
    device, dtype = model.device, model.projector.down.weight.dtype
    input_ids = torch.tensor([prompt.input_ids], device=device)
    labels = torch.tensor([prompt.labels], device=device)
    batch = model.embed(
        input_ids,
        torch.ones_like(input_ids),
        processed.pixel_values.to(device, dtype),
        labels,
    )
    hidden, _ = model.run_language_model(
        batch.inputs_embeds, batch.attention_mask, batch.position_ids
    )
    rows, positions = model.phrase_positions(batch.labels)
    prompts = model.phrase_prompts(hidden[rows, positions])
    image01 = processed.localization_values.to(device, dtype).reshape(
        1, *processed.localization_values.shape[-3:]
    )
    masks: list[torch.Tensor | None] = [None] * len(targets)
    boxes: list[torch.Tensor | None] = [None] * len(targets)
    scores: list[torch.Tensor | None] = [None] * len(targets)
    mask_rows = [i for i, kind in enumerate(kinds) if kind == "mask"]
    box_rows = [i for i, kind in enumerate(kinds) if kind == "boxes"]
    if mask_rows:
        logits = model.localize_masks(image01, prompts[mask_rows])
        for row, values in zip(mask_rows, torch.sigmoid(logits.float()).cpu(), strict=True):
            masks[row] = values
    if box_rows:
        output = model.localize_boxes(image01, prompts[box_rows])
        for number, row in enumerate(box_rows):
            boxes[row] = output.boxes[number].float().cpu()
            scores[row] = torch.sigmoid(output.logits[number].float()).cpu()
    return ProbeResult(masks, boxes, scores)
