"""Forward/backward through the whole network, positions, the weighted loss and vg_proj input."""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torch.nn.functional as F
from lm_fixtures import fixture_tiny_config, fixture_tiny_model, fixture_tiny_tokenizer  # noqa: F401

from model.modeling import VividMedForCausalLM
from model.text import (
    IGNORE_INDEX,
    IMAGE_PLACEHOLDER_ID,
    ChatTurn,
    PhraseTarget,
    TokenIds,
    TrainingSample,
    VividMedCollator,
    encode_sample,
)
from vividmed_viewer.core import ModelError

Tokenizer = tuple[Any, TokenIds]


def grounded_batch(tokenizer: Any, ids: TokenIds) -> dict[str, Any]:
    """A radiograph and a CT in one batch: masks, boxes and negative phrases of both kinds."""
    film = TrainingSample(
        torch.randn(3, 1, 64, 64),
        torch.rand(1, 1, 64, 64),
        [ChatTurn("Findings?", "Results:<p> left lung</p>: yes,<np> lung nodule</np>: no.")],
        True,
        [
            PhraseTarget("mask", mask=(torch.rand(1, 64, 64) > 0.5).float()),
            PhraseTarget.empty("boxes", (1, 64, 64)),
        ],
    )
    ct = TrainingSample(
        torch.randn(3, 8, 64, 48),
        torch.rand(1, 8, 64, 48),
        [ChatTurn("Report?", "No<np> heart</np>; a<p> pleural effusion</p>.")],
        True,
        [
            PhraseTarget.empty("mask", (8, 64, 48)),
            PhraseTarget("boxes", boxes=torch.tensor([[0.5, 0.4, 0.5, 0.3, 0.2, 0.2]])),
        ],
    )
    samples = [encode_sample(tokenizer, ids, s) for s in (film, ct)]
    return VividMedCollator(ids.pad)(samples)


def test_forward_backward_reaches_every_trainable_part(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer
) -> None:
    tiny_model.train()
    batch = grounded_batch(*tiny_tokenizer)
    output = tiny_model(**batch)
    for loss in (output.lm_loss, output.mask_loss, output.box_loss):
        assert loss is not None and torch.isfinite(loss) and loss > 0
    parts = output.lm_loss + output.mask_loss + output.box_loss
    assert float(output.loss.detach()) == pytest.approx(float(parts.detach()), rel=1e-5)
    assert output.phrase_prompts.shape == (4, tiny_model.config.prompt_dim)
    output.loss.backward()
    for part in ("vision", "projector", "language_model", "vg_proj", "semantic", "instance"):
        grads = [p.grad for p in getattr(tiny_model, part).parameters() if p.requires_grad]
        assert grads and all(g is not None for g in grads), part
        assert sum(float(g.abs().sum()) for g in grads) > 0, part


def test_image_tokens_share_one_position(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer
) -> None:
    _, ids = tiny_tokenizer
    input_ids = torch.tensor([[ids.bos, IMAGE_PLACEHOLDER_ID, ids.grd, ids.usr, 40, ids.sys]])
    pixels = torch.randn(1, 3, 1, 64, 96)
    count = tiny_model.vision.num_tokens((1, 64, 96))
    batch = tiny_model.embed(input_ids, None, pixels)
    assert batch.inputs_embeds.shape[1] == 5 + count + 2
    assert batch.position_ids[0].tolist() == [0, 1] + [2] * count + [3, 4, 5, 6, 7]
    assert batch.image_spans == [(1, count + 3)]
    assert torch.equal(batch.inputs_embeds[0, 1], tiny_model.projector.begin_of_image)
    assert torch.equal(batch.inputs_embeds[0, count + 2], tiny_model.projector.end_of_image)


def test_lm_loss_is_the_weighted_mean_over_answer_tokens(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer
) -> None:
    batch = grounded_batch(*tiny_tokenizer)
    with torch.no_grad():
        output = tiny_model(**batch)
        expanded = tiny_model.embed(
            batch["input_ids"],
            batch["attention_mask"],
            batch["pixel_values"],
            batch["labels"],
            batch["label_weights"],
        )
    labels, weights = expanded.labels[:, 1:], expanded.label_weights[:, 1:]
    token_loss = F.cross_entropy(
        output.logits[:, :-1].transpose(1, 2), labels.clamp(min=0), reduction="none"
    )
    trained = labels != IGNORE_INDEX
    expected = (token_loss * weights)[trained].sum() / weights[trained].sum()
    assert float(output.lm_loss) == pytest.approx(float(expected), rel=1e-5)
    _, ids = tiny_tokenizer
    assert set(weights[labels == ids.phrase_open].tolist()) == {5.0}
    unweighted = token_loss[trained].mean()
    assert float(output.lm_loss) != pytest.approx(float(unweighted), rel=1e-4)


def test_vg_proj_reads_the_hidden_state_that_predicts_close(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer
) -> None:
    tokenizer, ids = tiny_tokenizer
    lung = list(tokenizer(" left lung", add_special_tokens=False)["input_ids"])
    tail = list(tokenizer(" is clear", add_special_tokens=False)["input_ids"])
    # Hand-built: <s> [img] <grd> <usr> 40 41 <sys> <p> left lung </p> is clear </s>
    input_ids = [ids.bos, IMAGE_PLACEHOLDER_ID, ids.grd, ids.usr, 40, 41, ids.sys]
    input_ids += [ids.phrase_open, *lung, ids.phrase_close, *tail, ids.eos]
    labels = [IGNORE_INDEX] * 7 + input_ids[7:]
    pixels = torch.randn(1, 3, 1, 32, 32)
    image01 = torch.rand(1, 1, 1, 32, 32)
    target = [[PhraseTarget("mask", mask=torch.ones(1, 32, 32))]]
    count = tiny_model.vision.num_tokens((1, 32, 32))
    with torch.no_grad():
        output = tiny_model(
            input_ids=torch.tensor([input_ids]),
            labels=torch.tensor([labels]),
            pixel_values=pixels,
            localization_values=image01,
            phrase_targets=target,
        )
    # The last token of "left lung" sits right before </p>; the image adds count + 1 rows.
    before_close = input_ids.index(ids.phrase_close) - 1 + count + 1
    hidden = output.last_hidden_state[0, before_close]
    assert torch.allclose(output.phrase_prompts[0], tiny_model.vg_proj(hidden), atol=1e-6)
    assert int(output.logits[0, before_close].argmax()) >= 0
    wrong = output.last_hidden_state[0, before_close + 1]
    assert not torch.allclose(output.phrase_prompts[0], tiny_model.vg_proj(wrong), atol=1e-3)


def test_phrase_target_count_mismatch_is_reported(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer
) -> None:
    batch = grounded_batch(*tiny_tokenizer)
    batch["phrase_targets"] = [batch["phrase_targets"][0][:1], batch["phrase_targets"][1]]
    with pytest.raises(ModelError, match="row 0: 2 tagged phrases but 1 targets"):
        tiny_model(**batch)


def test_image_placeholder_without_image_is_reported(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer
) -> None:
    _, ids = tiny_tokenizer
    with pytest.raises(ModelError, match="image placeholder but no image"):
        tiny_model(input_ids=torch.tensor([[ids.bos, IMAGE_PLACEHOLDER_ID, ids.sys]]))
    logits = tiny_model(input_ids=torch.tensor([[ids.bos, ids.usr, 40, ids.sys]])).logits
    assert logits.shape[:2] == (1, 4)
