"""``vividmed train``: run one training stage (0-3) from a YAML recipe, resumable.

The same command runs on a CPU, on one GPU, or on several GPUs/nodes through
``accelerate launch -m vividmed_viewer.cli.main train ...``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``vividmed train``."""
    parser.add_argument(
        "--stage", type=int, required=True, choices=(0, 1, 2, 3), help="stage to run"
    )
    parser.add_argument(
        "--config",
        required=True,
        help="recipe YAML file, or the name of a shipped recipe (tiny, demo, paper)",
    )
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument("--output", type=Path, help="run folder (default: the recipe's output_dir)")
    parser.add_argument(
        "--max-steps",
        type=int,
        help="stop after this optimizer step (the schedule keeps its length)",
    )
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument(
        "--init", type=Path, help="start from this model checkpoint instead of the recipe's 'init'"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: one per core)")


def run(args: argparse.Namespace) -> int:
    """Train the stage; print where the model, the metrics and the plot went."""
    from training.trainer.threads import configure_cpu_threads

    configure_cpu_threads(args.threads)  # before anything imports torch
    from training.recipes import load_recipe
    from training.stages.build import build_task
    from training.stages.init_checkpoint import resolve_init
    from training.trainer.loop import Trainer, TrainingInterrupted, make_accelerator
    from vividmed_viewer.core.errors import TrainingError

    recipe = load_recipe(args.config)
    if args.max_steps is not None and args.max_steps < 1:
        raise TrainingError(f"--max-steps must be at least 1, got {args.max_steps}")
    output = Path(args.output) if args.output else Path(recipe.output_dir)
    stage_dir = output / f"stage{args.stage}"
    init_dir = resolve_init(recipe, args.stage, output, args.init)
    accelerator = make_accelerator(args.device)
    task = build_task(args.stage, recipe, init_dir, output)
    trainer = Trainer(
        task,
        recipe,
        stage_dir,
        accelerator,
        max_steps=args.max_steps,
        show_progress=not args.no_progress,
    )
    try:
        result = trainer.run(resume=args.resume)
    except TrainingInterrupted as interrupted:
        where = interrupted.checkpoint or "no checkpoint yet"
        print(
            f"stage {args.stage} interrupted at step {interrupted.step} ({where}); "
            f"continue with the same command plus --resume"
        )
        return 130
    if accelerator.is_main_process:
        print(
            f"stage {result.stage}: step {result.step}/{result.total_steps}, "
            f"loss {_number(result.first_loss)} -> {_number(result.final_loss)}, "
            f"{result.steps_per_second:.3f} steps/s on {accelerator.device}"
        )
        print(f"model:   {result.export_dir}")
        print(f"metrics: {stage_dir / 'metrics.csv'}")
        if result.plot_path:
            print(f"curves:  {result.plot_path}")
    return 0


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
