"""``vividmed evaluate`` end to end on a tiny exported checkpoint: the JSON it writes.

The numbers of an untrained model mean nothing; what is checked is that every metric the
card quotes is there, per image kind, and that each generated report is kept as an example
with its phrases marked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.recipes import load_recipe
from training.stages.build import build_model, export_model, image_processor
from vividmed_viewer.cli.main import main


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    recipe = load_recipe("tiny")
    model, tokenizer, _ids = build_model(recipe, None)
    directory = tmp_path_factory.mktemp("tiny-checkpoint")
    export_model(model, tokenizer, image_processor(model.config, 32), directory, recipe, 3)
    return directory


def test_evaluate_writes_every_metric_and_the_reports(
    tiny_checkpoint: Path, tmp_path: Path
) -> None:
    out = tmp_path / "metrics.json"
    argv = ["evaluate", "--checkpoint", str(tiny_checkpoint), "--count", "1"]
    argv += ["--vqa-questions", "2", "--max-new-tokens", "12", "--device", "cpu"]
    assert main([*argv, "--out", str(out)]) == 0
    metrics = json.loads(out.read_text("utf-8"))
    assert metrics["cases"] == 1 and metrics["kinds"] == ["ct", "drr"]
    assert set(metrics["dice"]) == {"ct", "drr"}
    assert all(
        0.0 <= metrics["dice"][k][t] <= 1.0 for k in ("ct", "drr") for t in ("lungs", "heart")
    )
    assert metrics["vqa"]["count"] == 4
    assert {"bleu4", "rouge_l", "chexpert14_f1_macro"} <= set(metrics["report"])
    assert [r["image"].split(":")[1] for r in metrics["reports"]] == ["ct", "drr"]
    assert all(
        "IMPRESSION" in r["reference"] and isinstance(r["report"], str) for r in metrics["reports"]
    )
    assert metrics["boxes"]["target"] == "lung nodule"


def test_evaluate_names_a_folder_that_is_no_checkpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "--checkpoint", str(tmp_path), "--count", "1"]) != 0
    assert f"{tmp_path}: not a model checkpoint" in capsys.readouterr().err
