"""``vividmed infer INPUT --out DIR``: result bundles for reader studies (resumable, shardable).

INPUT is an image file, a folder of studies, or a CSV case list (columns case_id,path).
Split cases across processes with ``accelerate launch -m vividmed_viewer.cli.main infer …``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from vividmed_viewer.core.errors import InferenceError
from vividmed_viewer.inference.inference_settings import (
    DEFAULT_MODEL,
    DEVICES,
    HEADS,
    InferenceSettings,
)

if TYPE_CHECKING:
    from model.pipeline import VividMedPipeline

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", type=Path, help="an image file, a folder of studies, or a CSV (case_id,path)"
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the result bundles")
    parser.add_argument("--questions", type=Path, help="text file: one question per line")
    model = parser.add_mutually_exclusive_group()
    model.add_argument("--checkpoint", type=Path, help="a checkpoint folder")
    model.add_argument(
        "--config", default=None, help=f"a named model config (default {DEFAULT_MODEL})"
    )
    parser.add_argument("--max-new-tokens", type=int, default=256, help="most tokens per answer")
    parser.add_argument(
        "--box-threshold", type=float, default=None, help="keep boxes above this score"
    )
    parser.add_argument(
        "--heads", choices=HEADS, default="taxonomy", help="which localization heads run"
    )
    parser.add_argument("--device", choices=DEVICES, default="auto", help="where the model runs")
    parser.add_argument(
        "--max-cases", type=int, default=None, help="stop after this many new cases"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def read_questions(path: Path) -> list[str]:
    """Questions, one a line; blank lines and lines starting with # are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InferenceError(f"{path}: cannot read the questions: {error}") from error
    questions = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not questions:
        raise InferenceError(f"{path}: no questions in the file (one question a line)")
    return questions


def _process_layout() -> tuple[int, int, str | None]:
    """(index, count, device) of this process under ``accelerate launch`` (1 process otherwise)."""
    from accelerate import PartialState

    state = PartialState()
    device = str(state.device) if state.num_processes > 1 else None
    return state.process_index, state.num_processes, device


def run(args: argparse.Namespace) -> int:
    from vividmed_viewer.inference.batch_runner import BatchOptions, run_batch
    from vividmed_viewer.inference.cases import find_cases

    settings = InferenceSettings(
        device=args.device,
        max_new_tokens=args.max_new_tokens,
        box_threshold=args.box_threshold,
        heads=args.heads,
    )
    questions = read_questions(args.questions) if args.questions else []
    cases = find_cases(args.input)
    index, count, process_device = _process_layout()
    source = str(args.checkpoint) if args.checkpoint else (args.config or DEFAULT_MODEL)
    device = process_device if process_device and args.device == "auto" else args.device

    def load() -> VividMedPipeline:
        from vividmed_viewer.inference.jobs import load_pipeline

        logger.info("loading model %s on %s", source, device)
        return load_pipeline(source, device)

    options = BatchOptions(
        out=args.out, settings=settings, questions=questions, max_cases=args.max_cases
    )
    summary = run_batch(
        cases, options, load, index, count, show_progress=not args.no_progress and index == 0
    )
    print(
        f"{len(summary.outcomes)} case(s): {summary.count('done')} done, "
        f"{summary.count('skipped')} already complete, {summary.count('failed')} failed; "
        f"bundles in {args.out}"
    )
    for outcome in summary.outcomes:
        if outcome.status == "failed":
            print(f"  failed: {outcome.case_id}: {outcome.error}")
    return 1 if summary.count("failed") else 0
