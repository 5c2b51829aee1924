"""Each stage's batches carry the right labels/weights/targets, and the right parts train."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from model.text import IGNORE_INDEX, IMAGE_PLACEHOLDER_ID
from training.recipes import Recipe, load_recipe
from training.stages.build import build_task
from training.stages.spec import stage_spec
from training.stages.trainable import configure_trainable, new_token_ids
from vividmed_viewer.core.taxonomy import default_taxonomy


def tiny_recipe(tmp_path: Path) -> Recipe:
    recipe = load_recipe("tiny")
    return dataclasses.replace(recipe, output_dir=str(tmp_path), train_vision=False)


def batch_of(task, count: int = 4):  # type: ignore[no-untyped-def]
    return task.collate([task.dataset[i] for i in range(count)])


def test_stage1_labels_weights_and_phrase_targets(tmp_path: Path) -> None:
    task = build_task(1, tiny_recipe(tmp_path), None, tmp_path)
    ids = task.model.token_ids
    batch = batch_of(task, 6)
    input_ids, labels, weights = batch["input_ids"], batch["labels"], batch["label_weights"]
    assert (input_ids[:, 1] == IMAGE_PLACEHOLDER_ID).all() and (input_ids[:, 2] == ids.grd).all()
    negatives = 0
    for row in range(input_ids.shape[0]):
        usr = (input_ids[row] == ids.usr).nonzero()[0, 0]
        sys = (input_ids[row] == ids.sys).nonzero()[0, 0]
        assert (labels[row, : sys + 1] == IGNORE_INDEX).all()  # the question is never trained
        assert usr < sys
        trained = labels[row] != IGNORE_INDEX
        assert (weights[row][~trained] == 0).all()
        assert labels[row][trained][-1] == ids.eos
        opens = (input_ids[row] == ids.phrase_open).nonzero().flatten().tolist()
        closes = (labels[row] == ids.phrase_close).nonzero().flatten().tolist()
        targets = batch["phrase_targets"][row]
        assert len(opens) == len(closes) == len(targets)
        for position, target in zip(opens, targets, strict=True):
            empty = (target.mask is not None and not target.mask.any()) or (
                target.boxes is not None and len(target.boxes) == 0
            )
            if (
                labels[row, position] == IGNORE_INDEX
            ):  # an <np> phrase: <p> not trained, empty target
                negatives += 1
                assert empty and weights[row, position] == 0
            else:
                assert labels[row, position] == ids.phrase_open and weights[row, position] == 5.0
                assert not empty
        for position in closes:
            assert weights[row, position] == 1.0
    assert negatives > 0
    masks = 0
    for image, row_targets in zip(
        batch["localization_values"], batch["phrase_targets"], strict=True
    ):
        for target in row_targets:
            if target.kind == "mask":
                masks += 1
                assert target.mask.shape == image.shape[-3:]
    assert masks > 0


def test_stage2_is_ungrounded_with_answer_only_labels(tmp_path: Path) -> None:
    task = build_task(2, tiny_recipe(tmp_path), None, tmp_path)
    ids = task.model.token_ids
    batch = batch_of(task, 6)
    assert (batch["input_ids"][:, 2] == ids.ngrd).all()
    assert not (batch["input_ids"] == ids.phrase_open).any()
    assert all(len(row) == 0 for row in batch["phrase_targets"])
    trained = batch["labels"] != IGNORE_INDEX
    assert (batch["label_weights"][trained] == 1.0).all()
    assert trained.sum() > 6


def test_stage3_grounds_report_phrases(tmp_path: Path) -> None:
    task = build_task(3, tiny_recipe(tmp_path), None, tmp_path)
    ids = task.model.token_ids
    batch = batch_of(task, 4)
    assert (batch["input_ids"][:, 2] == ids.grd).all()
    closes = (batch["labels"] == ids.phrase_close).sum(dim=1).tolist()
    assert closes == [len(row) for row in batch["phrase_targets"]]
    assert sum(closes) > 0


def test_stage0_alignment_samples(tmp_path: Path) -> None:
    task = build_task(0, tiny_recipe(tmp_path), None, tmp_path)
    taxonomy = default_taxonomy()
    names = task.model.prompts.names
    for index in range(4):
        sample = task.dataset[index]
        assert sample.masks.shape[1:] == sample.image01.shape[1:]
        assert len(sample.masks) == len(sample.mask_targets) > 0
        assert sample.masks[0].any()  # present targets come first
        assert all(taxonomy[names[i]].wants_mask for i in sample.mask_targets.tolist())
        assert all(taxonomy[names[i]].wants_boxes for i in sample.box_targets.tolist())
        assert all(b.shape[1] == 6 for b in sample.boxes)
        assert float(sample.image01.min()) >= 0.0 and float(sample.image01.max()) <= 1.0


def _trained(task) -> set[str]:  # type: ignore[no-untyped-def]
    return {name for name, p in task.model.named_parameters() if p.requires_grad}


def test_trainable_parameter_sets_follow_the_stage_table(tmp_path: Path) -> None:
    recipe = tiny_recipe(tmp_path)
    stage0 = _trained(build_task(0, recipe, None, tmp_path))
    assert stage0 and all(n.split(".")[0] in ("semantic", "instance", "prompts") for n in stage0)
    assert any(n.startswith("prompts.projection") for n in stage0)

    stage1 = _trained(build_task(1, recipe, None, tmp_path))
    for part in (
        "semantic.",
        "instance.",
        "vg_proj.",
        "projector.",
        "language_model.model.embed_tokens.added_rows",
    ):
        assert any(n.startswith(part) for n in stage1), part
    assert any("lora_A" in n for n in stage1) and any("lora_B" in n for n in stage1)
    assert not any(n.startswith("vision.") for n in stage1)
    language = [n for n in stage1 if n.startswith("language_model.")]
    assert all("lora_" in n or "embed_tokens" in n or "lm_head" in n for n in language)

    stage2 = _trained(build_task(2, recipe, None, tmp_path))
    assert stage2 and all("lora_" in n or n.startswith("projector.") for n in stage2)
    assert not any(n.startswith(("semantic.", "instance.", "vg_proj.")) for n in stage2)


def test_untied_embedding_trains_only_the_new_token_rows(tmp_path: Path) -> None:
    from model.checkpoint import build_model
    from model.registry import get_config

    config = get_config("tiny")
    config.text = dict(config.text, tie_word_embeddings=False)
    torch.manual_seed(0)
    model = build_model(config)
    configure_trainable(model, stage_spec(1), tiny_recipe(tmp_path))
    embedding = model.language_model.get_input_embeddings()
    head = model.language_model.get_output_embeddings()
    assert embedding.weight is not head.weight
    assert not embedding.weight.requires_grad and head.weight.requires_grad
    rows = new_token_ids(model)
    assert len(rows) == 8 and embedding.added_rows.shape == (8, embedding.weight.shape[1])
    assert embedding.added_rows.requires_grad
    every_token = torch.arange(embedding.weight.shape[0])
    (embedding(every_token).sum() * 3.0).backward()
    assert torch.equal(embedding.added_rows.grad, torch.full_like(embedding.added_rows, 3.0))
    assert embedding.weight.grad is None


def test_tied_head_trains_only_the_added_rows_it_shares(tmp_path: Path) -> None:
    from model.checkpoint import build_model
    from model.registry import get_config

    torch.manual_seed(0)
    model = build_model(get_config("tiny"))
    summary = configure_trainable(model, stage_spec(3), tiny_recipe(tmp_path))
    embedding = model.language_model.get_input_embeddings()
    head = model.language_model.get_output_embeddings()
    assert head.weight is embedding.weight and head.added_rows is embedding.added_rows
    assert not embedding.weight.requires_grad and embedding.added_rows.requires_grad
    language = [n for n in summary.names if n.startswith("language_model.")]
    assert [n for n in language if "lora_" not in n] == [
        "language_model.model.embed_tokens.added_rows"
    ]
    hidden = torch.randn(2, embedding.weight.shape[1])
    logits = head(hidden)
    rows = new_token_ids(model)
    assert torch.allclose(logits[:, rows], hidden @ embedding.added_rows.T)
    assert torch.allclose(logits[:, :5], hidden @ embedding.weight[:5].T)
    assert torch.equal(embedding(torch.tensor(rows)), embedding.added_rows)


def test_stage1_from_stage0_distils_the_stage0_prompts(tmp_path: Path) -> None:
    from training.stages.build import teacher_prompts

    recipe = tiny_recipe(tmp_path)
    stage0 = build_task(0, recipe, None, tmp_path)
    prompts = stage0.model.prompts
    with torch.no_grad():
        prompts.projection.weight.normal_()  # any trained projection
    stage0.export(stage0.model, tmp_path / "stage0")
    settings = dataclasses.replace(recipe.stage(1), distill_prompts=2.0)
    recipe1 = dataclasses.replace(recipe, stages={**recipe.stages, 1: settings})
    task = build_task(1, recipe1, tmp_path / "stage0", tmp_path)
    teachers = teacher_prompts(
        tmp_path / "stage0", default_taxonomy(), int(task.model.config.prompt_dim)
    )
    expected = prompts(torch.tensor([prompts.index["lungs"]]))[0]
    assert torch.allclose(teachers["lungs"], expected, atol=1e-6)
    batch = batch_of(task, 4)
    grounded = [t for row in batch["phrase_targets"] for t in row]
    assert grounded and all(t.prompt is not None and t.prompt_weight == 2.0 for t in grounded)
    output = task.model(**batch)
    assert output.prompt_loss is not None and output.prompt_loss > 0
    # Fitting vg_proj to the teachers drives the prompt loss down.
    optimizer = torch.optim.Adam(task.model.vg_proj.parameters(), lr=1e-2)
    first = float(output.prompt_loss.detach())
    for _ in range(30):
        optimizer.zero_grad()
        loss = task.model(**batch).prompt_loss
        loss.backward()
        optimizer.step()
    assert float(loss.detach()) < 0.5 * first
    # Without distillation no teacher is attached and the term is zero.
    plain = build_task(1, recipe, tmp_path / "stage0", tmp_path)
    assert all(t.prompt is None for row in batch_of(plain, 2)["phrase_targets"] for t in row)
