"""Decoding and training agree: same phrase hidden states, same prompts, same regions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from lm_fixtures import fixture_ct_volume, fixture_radiograph, fixture_tiny_pipeline  # noqa: F401
from test_generation_decoding import REPORT, forced

from model.generation import DecodeCallbacks, GeneratedPhrase, GroundedDecoder
from model.pipeline import VividMedPipeline
from model.processor import VividMedImageProcessor
from model.text import IGNORE_INDEX, ChatTurn, PhraseTarget, encode_conversation
from vividmed_viewer.core import ImageVolume


@pytest.mark.parametrize("image", ["radiograph", "ct_volume"])
def test_decoded_phrase_prompts_equal_the_training_forward(
    tiny_pipeline: VividMedPipeline, image: str, request: pytest.FixtureRequest
) -> None:
    volume: ImageVolume = request.getfixturevalue(image)
    model, ids = tiny_pipeline.model, tiny_pipeline.token_ids
    # A small token budget keeps the model grid (and the test) small; any budget is valid.
    processor = VividMedImageProcessor.for_vision(model.config.vision_config(), token_budget=64)
    processed = processor.preprocess(volume)
    prompt = encode_conversation(
        tiny_pipeline.tokenizer, ids, [ChatTurn("Report?")], grounded=True
    ).input_ids
    answer = forced(tiny_pipeline, REPORT)
    # The training forward over prompt + answer, with labels, reads </p>'s predecessor.
    grid = tuple(processed.localization_values.shape[2:])
    targets: list[Any] = [[PhraseTarget.empty("mask", grid), PhraseTarget.empty("boxes", grid)]]
    with torch.no_grad():
        output = model(
            input_ids=torch.tensor([prompt + answer.token_ids]),
            labels=torch.tensor([[IGNORE_INDEX] * len(prompt) + answer.token_ids]),
            pixel_values=processed.pixel_values,
            localization_values=processed.localization_values,
            phrase_targets=targets,
        )
        trained_prompts = output.phrase_prompts
        assert trained_prompts is not None and trained_prompts.shape[0] == 2
        image01 = processed.localization_values[0]
        probability = torch.sigmoid(model.localize_masks(image01, trained_prompts))
        boxes = model.localize_boxes(image01, trained_prompts)
    # Random weights: put the mask threshold mid-distribution so the masks are not empty.
    settings = tiny_pipeline.settings(60, 0.0, "both", [answer])
    settings.mask_threshold = float(probability.median())
    seen: list[torch.Tensor] = []
    hook = model.vg_proj.register_forward_hook(lambda _m, args, _o: seen.append(args[0].detach()))
    phrases: list[GeneratedPhrase] = []
    try:
        result = GroundedDecoder(model, tiny_pipeline.tokenizer, ids).decode(
            prompt, processed, settings, DecodeCallbacks(on_phrase=phrases.append)
        )
    finally:
        hook.remove()
    assert result.token_ids == answer.token_ids and len(phrases) == 2
    decoded_hidden = torch.cat([h.reshape(1, -1) for h in seen])
    with torch.no_grad():
        decoded_prompts = model.vg_proj(decoded_hidden)
    torch.testing.assert_close(decoded_prompts, trained_prompts, atol=1e-4, rtol=1e-4)
    # The regions the decoder returned are those of the training-path prompts, mapped back.
    for index, phrase in enumerate(phrases):
        inside = (probability[index] > settings.mask_threshold).float()
        expected = processed.transform.mask_to_image(inside)
        assert phrase.mask is not None and phrase.mask.shape == volume.shape
        assert 0 < np.count_nonzero(expected) < expected.size
        differing = np.count_nonzero(phrase.mask != expected)
        assert differing <= 0.001 * expected.size, (index, differing)
        order = torch.argsort(torch.sigmoid(boxes.logits[index]), descending=True)
        expected_boxes = processed.transform.boxes_to_image(boxes.boxes[index][order])
        assert phrase.boxes is not None
        assert [b.minimum for b in phrase.boxes] == [b.minimum for b in expected_boxes]
        assert [b.maximum for b in phrase.boxes] == [b.maximum for b in expected_boxes]
