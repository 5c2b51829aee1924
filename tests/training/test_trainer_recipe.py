"""Recipes: the shipped YAML files parse, and every mistake a user can make is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.recipes import RECIPES_DIR, load_recipe, recipe_from_dict
from vividmed_viewer.core.errors import TrainingError


def test_paper_recipe_holds_the_paper_schedule() -> None:
    recipe = load_recipe("paper")
    assert recipe.model == "paper"
    assert (recipe.lora.r, recipe.lora.alpha, recipe.lora.dropout) == (64, 8.0, 0.05)
    expected = {
        0: (30000, 2e-4, 0),
        1: (40000, 5e-5, 2000),
        2: (50000, 5e-5, 2500),
        3: (10000, 2e-5, 0),
    }
    for number, (steps, lr, warmup) in expected.items():
        stage = recipe.stage(number)
        assert (stage.steps, stage.lr, stage.warmup, stage.global_batch) == (steps, lr, warmup, 128)
    assert recipe.optimizer.weight_decay == 0.01 and recipe.optimizer.grad_clip == 1.0


@pytest.mark.parametrize("name", ["tiny", "demo", "paper"])
def test_every_shipped_recipe_has_four_stages(name: str) -> None:
    recipe = load_recipe(RECIPES_DIR / f"{name}.yaml")
    assert sorted(recipe.stages) == [0, 1, 2, 3]
    assert recipe.source == RECIPES_DIR / f"{name}.yaml"


def test_missing_recipe_file_lists_the_shipped_ones(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match=r"no such recipe file.*'paper'"):
        load_recipe(tmp_path / "nope.yaml")


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("model: [tiny\n", encoding="utf-8")
    with pytest.raises(TrainingError, match=r"bad\.yaml: not valid YAML"):
        load_recipe(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stages": {0: {"steps": 1, "lr": 1e-3}}}, "'model'.*is missing"),
        ({"model": "tiny"}, "'stages' must map"),
        ({"model": "tiny", "stages": {5: {"steps": 1, "lr": 1e-3}}}, "stage 5 does not exist"),
        (
            {"model": "tiny", "stages": {1: {"steps": 0, "lr": 1e-3}}},
            r"stages\.1\.steps must be at least 1",
        ),
        (
            {"model": "tiny", "stages": {1: {"steps": 5, "lr": 1e-3, "warmup": 9}}},
            r"warmup must be in \[0, steps\]",
        ),
        ({"model": "tiny", "stages": {1: {"steps": 5, "lr": -1}}}, "lr must be positive"),
        (
            {"model": "tiny", "stages": {1: {"steps": 5, "lr": 1e-3, "speed": 2}}},
            r"unknown key\(s\) \['speed'\]",
        ),
        (
            {"model": "tiny", "lora": {"rank": 4}, "stages": {1: {"steps": 5, "lr": 1e-3}}},
            r"lora: unknown key",
        ),
        (
            {"model": "tiny", "stages": {1: {"steps": "many", "lr": 1e-3}}},
            r"steps: 'many' is not a int",
        ),
        (
            {
                "model": "tiny",
                "stages": {1: {"steps": 5, "lr": 1e-3, "micro_batch": 8, "global_batch": 4}},
            },
            "micro_batch <= global_batch",
        ),
        (
            {
                "model": "tiny",
                "data": {"max_present_targets": 0},
                "stages": {1: {"steps": 5, "lr": 1e-3}},
            },
            r"my\.yaml: data\.max_present_targets must be >= 1",
        ),
        (
            {"model": "tiny", "export_dtype": "int8", "stages": {1: {"steps": 5, "lr": 1e-3}}},
            r"my\.yaml: export_dtype must be one of \['float32', 'bfloat16', 'float16'\], got 'int8'",
        ),
    ],
)
def test_recipe_mistakes_are_named(data: dict, message: str) -> None:
    with pytest.raises(TrainingError, match=message):
        recipe_from_dict(data, source=Path("my.yaml"))


def test_asking_for_an_absent_stage_names_the_recipe() -> None:
    recipe = recipe_from_dict(
        {"model": "tiny", "stages": {2: {"steps": 3, "lr": 1e-3}}}, Path("r.yaml")
    )
    with pytest.raises(TrainingError, match=r"r\.yaml: the recipe has no stage 1 \(it has \[2\]\)"):
        recipe.stage(1)


def test_demo_recipe_fits_a_small_cpu() -> None:
    recipe = load_recipe("demo")
    assert recipe.model_options == {"train_token_budget": 64, "eval_token_budget": 64}
    assert recipe.data.phantom_options["in_plane"] == 128
    assert max(recipe.data.phantom_options["slices"]) <= 64
    assert recipe.data.max_present_targets <= 6 and recipe.lora.dropout == 0.0
    # the shipped model's file stays small: bf16 weights, LoRA rank 4
    assert recipe.export_dtype == "bfloat16" and recipe.lora.r == 4
    assert load_recipe("paper").export_dtype == "float32"


def test_model_options_reach_a_model_loaded_from_the_previous_stage(tmp_path: Path) -> None:
    from dataclasses import replace

    from training.stages.build import build_model, export_model, image_processor

    recipe = load_recipe("tiny")
    model, tokenizer, _ids = build_model(recipe, None)
    assert model.vividmed_config.open_phrases == "model"
    export_model(model, tokenizer, image_processor(model.config, 32), tmp_path, recipe, 2)
    options = {**recipe.model_options, "open_phrases": "taxonomy", "box_threshold": 0.3}
    loaded, _, _ = build_model(replace(recipe, model_options=options), tmp_path)
    assert loaded.vividmed_config.open_phrases == "taxonomy"
    assert loaded.vividmed_config.box_threshold == 0.3
    with pytest.raises(TrainingError, match=r"model_options\.no_such_field"):
        build_model(replace(recipe, model_options={"no_such_field": 1}), tmp_path)
