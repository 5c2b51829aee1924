"""The shipped default model (resources/models/demo): what its card says, reproduced.

It loads from safetensors over the SmolLM2 backbone, is marked as a demonstration model, and
on the first three held-out test phantoms its own grounded reports carry lung masks whose
Dice is the one the card states (``evaluation_test3.json``, made by ``vividmed evaluate``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from model.pipeline import SHIPPED_MODELS_DIR
from training.evaluation import EvaluationSettings, evaluate_checkpoint

SHIPPED = SHIPPED_MODELS_DIR / "demo"
LUNG_TARGETS = ("lungs", "left lung", "right lung")
TOLERANCE = 0.05


def card_check() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SHIPPED / "evaluation_test3.json").read_text("utf-8"))
    return data


def test_shipped_model_is_small_safetensors_with_a_card() -> None:
    files = [p for p in SHIPPED.rglob("*") if p.is_file()]
    assert (SHIPPED / "model.safetensors").is_file() and (SHIPPED / "config.json").is_file()
    assert all(p.stat().st_size < 25 * 1024 * 1024 for p in files)
    assert not [p for p in files if p.suffix in (".bin", ".pt", ".pth", ".pkl", ".ckpt")]
    card = (SHIPPED / "MODEL_CARD.md").read_text("utf-8")
    assert "synthetic" in card and "not for clinical use" in card
    assert "vividmed train --stage 3 --config demo" in card
    assert "vividmed evaluate --checkpoint resources/models/demo" in card
    config = json.loads((SHIPPED / "config.json").read_text("utf-8"))
    assert config["backbone"] == "smollm2-135m-instruct" and config["preset"] == "demo"


def test_three_test_phantoms_reach_the_lung_dice_of_the_card() -> None:
    expected = card_check()
    settings = EvaluationSettings(
        split="test", count=3, kinds=tuple(expected["kinds"]), vqa_questions=0, device="cpu"
    )
    measured = evaluate_checkpoint(SHIPPED, settings)
    for kind, targets in expected["report_phrase_dice"].items():
        lungs = [t for t in targets if t in LUNG_TARGETS]
        assert lungs, f"the card's {kind} reports name no lung phrase"
        for target in lungs:
            got = measured["report_phrase_dice"][kind][target]["mean"]
            assert got == pytest.approx(targets[target]["mean"], abs=TOLERANCE), (kind, target)
    for kind, targets in expected["dice"].items():
        for target in ("lungs", "heart"):
            got = measured["dice"][kind][target]
            assert got == pytest.approx(targets[target], abs=TOLERANCE), (kind, target)


def test_the_card_quotes_the_numbers_of_its_evaluation_files() -> None:
    card = (SHIPPED / "MODEL_CARD.md").read_text("utf-8")
    headline = json.loads((SHIPPED / "evaluation_test.json").read_text("utf-8"))
    for kind, targets in headline["dice"].items():
        for target in ("lungs", "heart"):
            assert f"{targets[target]:.3f}" in card, (kind, target)
    assert f"{headline['vqa']['yes_no_accuracy']:.3f}" in card
    assert f"{headline['report']['chexpert14_f1_macro']:.3f}" in card
    check = card_check()
    for targets in check["report_phrase_dice"].values():
        for target in LUNG_TARGETS:
            if target in targets:
                assert f"{targets[target]['mean']:.3f}" in card


@pytest.mark.parametrize("relative", ["config.json", "tokenizer.json", "preprocessor_config.json"])
def test_shipped_files_are_present(relative: str) -> None:
    assert Path(SHIPPED / relative).is_file()
