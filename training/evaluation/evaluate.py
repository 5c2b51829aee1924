"""``evaluate_checkpoint``: run a trained model on held-out phantoms and score it.

Per phantom and image kind (CT and DRR):
- a grounded report is generated (pipeline ``generate_report``) and compared with the
  phantom's report: BLEU-4, ROUGE-L, CheXpert-14 finding F1;
- VQA questions (modality, plane, abnormality yes/no, …) are answered one at a time;
- Dice of ``lungs`` and ``heart`` and boxes of ``lung nodule`` come from teacher-forced
  grounding (see ``grounding_probe``), mapped back to the image grid by the processor;
- ``report_phrase_dice``: the Dice of the masks the model attached to the phrases of its
  own (free-running) report, per target, against the phantom's truth of that target.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from training.evaluation.collector import MetricsCollector
from training.evaluation.grounding_probe import probe_targets
from vividmed_viewer.core.errors import TrainingError

logger = logging.getLogger(__name__)

TRAINING_DATA_FILE = "training_data.json"


@dataclass(frozen=True)
class EvaluationSettings:
    """What to evaluate and how much of it."""

    split: str = "test"
    count: int = 10
    first_case: int = 0
    kinds: tuple[str, ...] = ("ct", "drr")
    max_new_tokens: int = 256
    vqa_questions: int = 6
    dice_targets: tuple[str, ...] = ("lungs", "heart")
    box_target: str = "lung nodule"
    device: str = "auto"
    phantom_options: dict[str, Any] | None = None


def phantom_options_of(checkpoint: Path) -> dict[str, Any]:
    """The phantom generator settings the checkpoint was trained with (defaults if unknown)."""
    path = checkpoint / TRAINING_DATA_FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return dict(data.get("phantom_options", {}))


def evaluate_checkpoint(
    checkpoint: Path,
    settings: EvaluationSettings,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Score ``checkpoint`` on ``settings.count`` phantoms of ``settings.split``."""
    from model.pipeline import VividMedPipeline
    from training.stages.case_cache import PhantomCaseCache
    from training.synthesis.splits import seeds_for

    if not (checkpoint / "config.json").exists():
        raise TrainingError(f"{checkpoint}: not a model checkpoint (config.json is missing)")
    if settings.count < 1:
        raise TrainingError(f"--count must be at least 1, got {settings.count}")
    unknown = sorted(set(settings.kinds) - {"ct", "drr"})
    if unknown:
        raise TrainingError(f"unknown image kinds {unknown}; use ct and/or drr")
    started = time.perf_counter()
    pipeline = VividMedPipeline.from_pretrained(checkpoint, device=settings.device)
    options = (
        settings.phantom_options
        if settings.phantom_options is not None
        else phantom_options_of(checkpoint)
    )
    cases = PhantomCaseCache(None, options, in_memory=1)
    collector = MetricsCollector(box_target=settings.box_target)
    seeds = seeds_for(settings.split, settings.count, settings.first_case)
    for number, seed in enumerate(seeds, start=1):
        case = cases.case(seed)
        for kind in settings.kinds:
            evaluate_image(pipeline, case, kind, settings, collector)
        if progress is not None:
            progress(f"case {number}/{len(seeds)} (seed {seed}) done")
    metrics = collector.metrics()
    metrics["checkpoint"] = str(checkpoint)
    metrics["split"] = settings.split
    metrics["cases"] = len(seeds)
    metrics["kinds"] = list(settings.kinds)
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    return metrics


def evaluate_image(
    pipeline: Any, case: Any, kind: str, settings: EvaluationSettings, collector: MetricsCollector
) -> None:
    """Add one image's report, answers, Dice and boxes to ``collector``."""
    from model.text import ChatTurn
    from training.data.phantom_source import labelled_case_from_phantom
    from training.data.stage2 import build_vqa_sample
    from training.metrics import dice
    from vividmed_viewer.core.overlays import Box

    labelled = labelled_case_from_phantom(case, kind)
    volume = labelled.image
    report = pipeline.generate_report(volume, max_new_tokens=settings.max_new_tokens)
    image_id = f"{case.seed}:{kind}"
    collector.add_report(report.text, labelled.report or "", image_id, tagged_text(report))
    add_report_phrase_dice(report, labelled, image_id, kind, collector)
    if settings.vqa_questions > 0:
        rng = np.random.default_rng([case.seed, 0 if kind == "ct" else 1])
        sample = build_vqa_sample(labelled, rng, questions=settings.vqa_questions)
        for question, expected in sample.turns:
            answer = pipeline.answer(volume, [ChatTurn(question)], max_new_tokens=12)
            collector.add_answer(answer.text, expected)
    processed = pipeline.processor.preprocess(volume)
    transform = processed.transform
    targets = [*settings.dice_targets, settings.box_target]
    kinds = ["mask"] * len(settings.dice_targets) + ["boxes"]
    probe = probe_targets(pipeline, processed, targets, kinds)
    for number, target in enumerate(settings.dice_targets):
        probabilities = probe.mask_probabilities[number]
        truth = labelled.masks.get(target)
        if probabilities is None or truth is None:
            continue
        collector.add_dice(kind, target, dice(transform.mask_to_image(probabilities), truth))
    boxes, scores = probe.boxes[-1], probe.box_scores[-1]
    assert boxes is not None and scores is not None
    predicted = [
        Box(b.minimum, b.maximum, b.score) for b in transform.boxes_to_image(boxes, scores)
    ]
    threshold = float(pipeline.model.config.box_threshold)
    kept = [box for box in predicted if (box.score or 0.0) > threshold]
    truth_boxes = labelled.boxes.get(settings.box_target, [])
    collector.add_boxes(f"{case.seed}:{kind}", volume.shape, predicted, kept, truth_boxes)


def tagged_text(result: Any) -> str:
    """A generation's text with each phrase written ``[phrase](target)`` (the report markup)."""
    from vividmed_viewer.core.grounded_text import GroundedText, Phrase

    phrases = [Phrase(p.start, p.end, p.target) for p in result.phrases]
    return GroundedText(result.text, phrases).tagged()


def add_report_phrase_dice(
    result: Any, labelled: Any, image_id: str, kind: str, collector: MetricsCollector
) -> None:
    """Score each non-empty mask the report's phrases carry against the truth of the
    phrase's target (a phrase whose mask came out empty carries no region: not scored)."""
    from training.metrics import dice

    for phrase in result.phrases:
        truth = labelled.masks.get(phrase.target)
        if truth is None or phrase.mask is None or not phrase.mask.any():
            continue
        value = dice(phrase.mask.reshape(truth.shape), truth)
        collector.add_phrase_dice(image_id, kind, phrase.text, phrase.target, value)
