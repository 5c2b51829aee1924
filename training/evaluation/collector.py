"""Accumulates per-image results and turns them into the evaluation's metrics."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vividmed_viewer.core import Box


@dataclass
class MetricsCollector:
    """Everything seen so far: reports, VQA answers, Dice scores and box predictions."""

    box_target: str = "lung nodule"
    hypotheses: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    expected_answers: list[str] = field(default_factory=list)
    dice_scores: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    phrase_dice_scores: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    phrase_dice_cases: list[dict[str, Any]] = field(default_factory=list)
    examples: list[dict[str, str]] = field(default_factory=list)
    scored_boxes: list[tuple[str, Box]] = field(default_factory=list)
    true_boxes: dict[str, list[Box]] = field(default_factory=dict)
    l1_values: list[float] = field(default_factory=list)
    giou_values: list[float] = field(default_factory=list)
    missed: int = 0
    extra: int = 0

    def add_report(
        self, hypothesis: str, reference: str, image_id: str = "", tagged: str = ""
    ) -> None:
        """A generated report and its reference (kept as an example: ``tagged`` is the
        report with its phrases marked ``[phrase](target)``)."""
        self.hypotheses.append(hypothesis)
        self.references.append(reference)
        self.examples.append(
            {"image": image_id, "report": tagged or hypothesis, "reference": reference}
        )

    def add_answer(self, answer: str, expected: str) -> None:
        """A VQA answer and the expected one."""
        self.answers.append(answer)
        self.expected_answers.append(expected)

    def add_dice(self, kind: str, target: str, value: float) -> None:
        """Dice of one target on one image of ``kind`` (``ct`` or ``drr``)."""
        self.dice_scores[kind][target].append(value)

    def add_phrase_dice(
        self, image_id: str, kind: str, phrase: str, target: str, value: float
    ) -> None:
        """Dice of the mask the model attached to a phrase of its own report."""
        self.phrase_dice_scores[kind][target].append(value)
        self.phrase_dice_cases.append(
            {"image": image_id, "phrase": phrase, "target": target, "dice": value}
        )

    def add_boxes(
        self,
        image_id: str,
        shape: tuple[int, int, int],
        predicted: list[Box],
        kept: list[Box],
        truth: list[Box],
    ) -> None:
        """All scored predictions (for AP), the kept ones (for L1/GIoU) and the truth."""
        from training.metrics import match_boxes

        self.scored_boxes += [(image_id, box) for box in predicted]
        self.true_boxes[image_id] = list(truth)
        match = match_boxes(kept, truth, shape)
        if match.matched:
            assert match.mean_l1 is not None and match.mean_giou is not None
            self.l1_values += [match.mean_l1] * match.matched
            self.giou_values += [match.mean_giou] * match.matched
        self.missed += match.missed
        self.extra += match.extra

    def metrics(self) -> dict[str, Any]:
        """The metrics dictionary written to JSON."""
        from training.metrics import (
            average_precision,
            corpus_bleu,
            finding_f1,
            mean_rouge_l,
            vqa_accuracy,
        )

        result: dict[str, Any] = {}
        if self.hypotheses:
            f1 = finding_f1(self.hypotheses, self.references)
            result["report"] = {
                "count": len(self.hypotheses),
                "bleu4": corpus_bleu(self.hypotheses, self.references),
                "rouge_l": mean_rouge_l(self.hypotheses, self.references),
                "chexpert14_f1_macro": f1.macro,
                "chexpert14_f1_micro": f1.micro,
                "chexpert14_f1_per_label": f1.per_label,
            }
            result["reports"] = list(self.examples)
        if self.answers:
            accuracy = vqa_accuracy(self.answers, self.expected_answers)
            result["vqa"] = {
                "count": accuracy.count,
                "yes_no_accuracy": accuracy.closed,
                "open_accuracy": accuracy.open,
                "overall_accuracy": accuracy.overall,
            }
        if self.dice_scores:
            result["dice"] = {
                kind: {target: float(np.mean(values)) for target, values in targets.items()}
                for kind, targets in self.dice_scores.items()
            }
        if self.phrase_dice_scores:
            result["report_phrase_dice"] = {
                kind: {
                    target: {"mean": float(np.mean(values)), "phrases": len(values)}
                    for target, values in sorted(targets.items())
                }
                for kind, targets in self.phrase_dice_scores.items()
            }
            result["report_phrase_dice_cases"] = list(self.phrase_dice_cases)
        if self.true_boxes:
            truths = sum(len(b) for b in self.true_boxes.values())
            result["boxes"] = {
                "target": self.box_target,
                "images": len(self.true_boxes),
                "ground_truth_boxes": truths,
                "matched": len(self.l1_values),
                "missed": self.missed,
                "extra": self.extra,
                "mean_l1": float(np.mean(self.l1_values)) if self.l1_values else None,
                "mean_giou": float(np.mean(self.giou_values)) if self.giou_values else None,
                "ap50": average_precision(self.scored_boxes, self.true_boxes, 0.5)
                if truths
                else None,
            }
        return result
