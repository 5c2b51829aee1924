"""``vividmed evaluate``: score a checkpoint on held-out phantom cases; print and write JSON."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``vividmed evaluate``."""
    parser.add_argument("--checkpoint", type=Path, required=True, help="model checkpoint folder")
    parser.add_argument("--split", default="test", choices=("train", "val", "test"))
    parser.add_argument("--count", type=int, default=10, help="phantom cases (each gives CT + DRR)")
    parser.add_argument("--first-case", type=int, default=0, help="offset into the split's seeds")
    parser.add_argument("--kinds", default="ct,drr", help="image kinds: ct, drr or ct,drr")
    parser.add_argument("--max-new-tokens", type=int, default=256, help="report length limit")
    parser.add_argument("--vqa-questions", type=int, default=6, help="VQA questions per image")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--out", type=Path, help="write the metrics JSON here")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: one per core)")


def run(args: argparse.Namespace) -> int:
    """Evaluate, print a table of the metrics, write JSON when asked."""
    from training.trainer.threads import configure_cpu_threads

    configure_cpu_threads(args.threads)  # before anything imports torch
    from training.evaluation import EvaluationSettings, evaluate_checkpoint

    settings = EvaluationSettings(
        split=args.split,
        count=args.count,
        first_case=args.first_case,
        kinds=tuple(k.strip() for k in args.kinds.split(",") if k.strip()),
        max_new_tokens=args.max_new_tokens,
        vqa_questions=args.vqa_questions,
        device=args.device,
    )
    metrics = evaluate_checkpoint(Path(args.checkpoint), settings, progress=logger.info)
    print(format_metrics(metrics))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        print(f"metrics written to {args.out}")
    return 0


def format_metrics(metrics: dict[str, Any]) -> str:
    """A readable table of the headline numbers."""
    lines = [
        f"checkpoint {metrics['checkpoint']}: {metrics['cases']} {metrics['split']} cases "
        f"({', '.join(metrics['kinds'])}) in {metrics['seconds']} s"
    ]
    report = metrics.get("report")
    if report:
        lines.append(
            f"  report   BLEU-4 {report['bleu4']:.4f}  ROUGE-L {report['rouge_l']:.4f}  "
            f"CheXpert-14 F1 macro {report['chexpert14_f1_macro']:.4f} "
            f"micro {report['chexpert14_f1_micro']:.4f}  (n={report['count']})"
        )
    vqa = metrics.get("vqa")
    if vqa:
        lines.append(
            f"  VQA      yes/no accuracy {_number(vqa['yes_no_accuracy'])}  "
            f"open {_number(vqa['open_accuracy'])}  (n={vqa['count']})"
        )
    for kind, targets in metrics.get("dice", {}).items():
        scores = "  ".join(f"{target} {value:.4f}" for target, value in targets.items())
        lines.append(f"  Dice {kind:<4}{scores}")
    for kind, targets in metrics.get("report_phrase_dice", {}).items():
        scores = "  ".join(
            f"{target} {value['mean']:.4f} (n={value['phrases']})"
            for target, value in targets.items()
        )
        lines.append(f"  report-phrase Dice {kind:<4}{scores}")
    boxes = metrics.get("boxes")
    if boxes:
        lines.append(
            f"  boxes    {boxes['target']}: mean L1 {_number(boxes['mean_l1'])}  "
            f"mean GIoU {_number(boxes['mean_giou'])}  AP@0.5 {_number(boxes['ap50'])}  "
            f"({boxes['ground_truth_boxes']} boxes, {boxes['matched']} matched)"
        )
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
