"""Run the model over cases, one result bundle each; resumable and shardable.

Cases whose bundle has ``DONE`` are skipped (a killed run resumes losing nothing and
redoing nothing complete). A failing case writes ``error.txt``, goes into the summary and
the run goes on. With ``accelerate launch``, each process takes every n-th case.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vividmed_viewer.core.conversation import Conversation
from vividmed_viewer.inference.bundle_writer import (
    CaseResult,
    is_complete,
    write_atomically,
    write_bundle,
    write_error,
)
from vividmed_viewer.inference.cases import Case
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.inference.model_runs import run_answer, run_report

if TYPE_CHECKING:
    from model.pipeline import VividMedPipeline

logger = logging.getLogger(__name__)


@dataclass
class BatchOptions:
    """What to run: model settings, the questions to ask of every case, where to write."""

    out: Path
    settings: InferenceSettings = field(default_factory=InferenceSettings)
    questions: list[str] = field(default_factory=list)
    max_cases: int | None = None
    logits_processors: Sequence[Any] = ()  # tests force token sequences


@dataclass
class CaseOutcome:
    case_id: str
    path: str
    status: str  # done | skipped | failed
    seconds: float = 0.0
    error: str = ""


@dataclass
class BatchSummary:
    outcomes: list[CaseOutcome] = field(default_factory=list)
    process_index: int = 0
    num_processes: int = 1

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "process_index": self.process_index,
            "num_processes": self.num_processes,
            "counts": {s: self.count(s) for s in ("done", "skipped", "failed")},
            "cases": [asdict(o) for o in self.outcomes],
        }


def shard(cases: list[Case], process_index: int, num_processes: int) -> list[Case]:
    """This process's share: every ``num_processes``-th case from ``process_index``."""
    return cases[process_index::num_processes]


def infer_case(pipeline: VividMedPipeline, case: Case, options: BatchOptions) -> CaseResult:
    """Load the image, write the report, answer each question (each on its own)."""
    from vividmed_viewer.io import load_image

    volume = load_image(case.path, series_key=case.series_key)
    settings = options.settings
    report = run_report(
        pipeline,
        volume,
        max_new_tokens=settings.max_new_tokens,
        box_threshold=settings.box_threshold,
        heads=settings.heads,
        logits_processors=options.logits_processors,
    )
    report.image_reference = str(case.path.resolve())
    answers = Conversation(image_reference=report.image_reference)
    for question in options.questions:
        answered = run_answer(
            pipeline,
            volume,
            Conversation(),
            question,
            grounded=settings.grounded_chat,
            max_new_tokens=settings.max_new_tokens,
            box_threshold=settings.box_threshold,
            logits_processors=options.logits_processors,
        )
        answers.ask(question)
        answers.add_turn(answered.turn)
        answers.overlays.update(answered.overlays)
    return CaseResult(
        case.case_id, str(case.path), volume.geometry, report, answers, pipeline.describe()
    )


def run_batch(
    cases: list[Case],
    options: BatchOptions,
    load_pipeline: Callable[[], VividMedPipeline],
    process_index: int = 0,
    num_processes: int = 1,
    show_progress: bool = True,
) -> BatchSummary:
    """Process this process's cases; the model is loaded only if some case needs it."""
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    mine = shard(cases, process_index, num_processes)
    summary = BatchSummary(process_index=process_index, num_processes=num_processes)
    name = "summary.json" if num_processes == 1 else f"summary.rank{process_index}.json"
    summary_path = options.out / name
    options.out.mkdir(parents=True, exist_ok=True)
    bar = tqdm(mine, desc="cases", unit="case", disable=not show_progress)
    with logging_redirect_tqdm():
        _run_cases(bar, options, load_pipeline, summary, summary_path)
    bar.close()
    write_atomically(summary_path, json.dumps(summary.to_dict(), indent=1))
    return summary


def _run_cases(
    bar: Any,
    options: BatchOptions,
    load_pipeline: Callable[[], VividMedPipeline],
    summary: BatchSummary,
    summary_path: Path,
) -> None:
    pipeline: VividMedPipeline | None = None
    attempted = 0
    settings = {**options.settings.to_dict(), "questions": list(options.questions)}
    for case in bar:
        folder = options.out / case.case_id
        if is_complete(folder):
            summary.outcomes.append(CaseOutcome(case.case_id, str(case.path), "skipped"))
            continue
        if options.max_cases is not None and attempted >= options.max_cases:
            break
        attempted += 1
        bar.set_postfix_str(case.case_id)
        if pipeline is None:  # a model that does not load ends the run (no case is to blame)
            pipeline = load_pipeline()
        started = time.perf_counter()
        try:
            result = infer_case(pipeline, case, options)
            write_bundle(folder, result, settings)
        except Exception as error:  # one bad case must not end the run: recorded, logged
            message = f"{type(error).__name__}: {error}"
            logger.error("case %s failed: %s", case.case_id, message)
            write_error(folder, case.case_id, str(case.path), traceback.format_exc())
            outcome = CaseOutcome(case.case_id, str(case.path), "failed", error=message)
        else:
            outcome = CaseOutcome(case.case_id, str(case.path), "done")
        outcome.seconds = round(time.perf_counter() - started, 3)
        summary.outcomes.append(outcome)
        write_atomically(summary_path, json.dumps(summary.to_dict(), indent=1))
