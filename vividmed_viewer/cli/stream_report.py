"""``vividmed report IMAGE``: stream a grounded report for an image and summarise its regions.

Until trained weights are installed the vision and localization parts are random and the
model never opens a ``<p>`` phrase by itself. So, with untrained weights, the command forces
a fixed template answer with five tagged phrases through the decoder, token by token: the
network still runs every step (KV cache, the hidden state at each ``</p>``, vg_proj, both
localization models, the inverse of the processor), only the greedy pick is overridden.
``--free`` lets the untrained model write instead; ``--answer`` forces any tagged text.
The output says which of these happened. Also ``python -m vividmed_viewer.cli.stream_report``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import VividMedError
from vividmed_viewer.core.overlays import Box, BoxOverlay, MaskOverlay
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.inference.model_results import StreamedPhrase

UNTRAINED_NOTE = (
    "NOTE: untrained weights: the vision and localization parts are random until the "
    "training issue lands; the text and regions below are not a medical opinion."
)
TEMPLATE_NOTE = (
    "NOTE: the answer is a fixed template forced through the decoder token by token (an "
    "untrained model never opens a phrase); its masks/boxes come from the random "
    "localization weights, and every box query is kept (box threshold 0 unless "
    "--box-threshold is given). Pass --free to let the untrained model write."
)
FORCED_NOTE = "NOTE: the answer is the text given with --answer, forced token by token."
#: The untrained model's answer: 3 anatomy phrases (→ masks) and 2 abnormalities (→ boxes).
TEMPLATE_ANSWER = (
    "Template report (untrained model). The<p> trachea</p> is midline. The<p> heart</p> "
    "is outlined. The<p> left lung</p> is outlined. A<p> lung nodule</p> and a<p> pleural "
    "effusion</p> are boxed where the random weights put them."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.add_argument("image", help="DICOM file/folder, NIfTI file or PNG/JPEG radiograph")
    parser.add_argument("--config", default="demo", choices=["tiny", "demo", "paper"])
    parser.add_argument("--checkpoint", help="a trained checkpoint directory (overrides --config)")
    parser.add_argument("--question", help="ask this instead of requesting a report")
    parser.add_argument("--max-new-tokens", type=int, default=150)
    parser.add_argument("--box-threshold", type=float, default=None)
    parser.add_argument("--heads", default="taxonomy", choices=["taxonomy", "both"])
    parser.add_argument("--device", default="auto")
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--free", action="store_true", help="let an untrained model write (no template)"
    )
    how.add_argument("--answer", help="force this tagged answer, e.g. 'The<p> heart</p> is big.'")


def forced_answer(args: argparse.Namespace, trained: bool) -> tuple[str | None, str | None]:
    """(answer to force, note to print): ``--answer``, else the template when untrained."""
    if args.answer:
        return args.answer, FORCED_NOTE
    if trained or args.free:
        return None, None
    return TEMPLATE_ANSWER, TEMPLATE_NOTE


def _format_point(point: Sequence[float] | NDArray[np.float64]) -> str:
    return "(" + ", ".join(f"{v:.1f}" for v in point) + ") mm LPS"


def _mask_line(overlay: MaskOverlay) -> str:
    """Size (cm² on a radiograph, mL in 3D), extent and centre of one mask."""
    extent = overlay.bounding_box()
    two_d = overlay.geometry.shape[0] == 1
    size = f"{overlay.area_mm2_per_slice / 100:.1f} cm²" if two_d else f"{overlay.volume_ml:.1f} mL"
    span = ""
    if extent is not None:
        lengths = [int(v) for v in extent[1] - extent[0] + 1]
        span = f", extent {' × '.join(str(v) for v in (lengths[1:] if two_d else lengths))}"
    return (
        f"    mask: {overlay.voxel_count} {'pixels' if two_d else 'voxels'}, {size}{span}, "
        f"centre {_format_point(overlay.center_patient())}"
    )


def _box_line(overlay: BoxOverlay, box: Box) -> str:
    """Voxel corners, size and centre of one box (in-plane only on a radiograph)."""
    axes = slice(1, 3) if overlay.geometry.shape[0] == 1 else slice(0, 3)
    low, high = (tuple(int(v) for v in corner)[axes] for corner in (box.minimum, box.maximum))
    extent_mm = box.extent_mm(overlay.geometry)[axes]
    centre = overlay.geometry.index_to_patient(box.center)
    score = f", score {box.score:.2f}" if box.score is not None else ""
    return (
        f"    box: {low}–{high} ({'y, x' if axes.start else 'z, y, x'}), "
        f"{' × '.join(f'{v:.1f}' for v in extent_mm)} mm, "
        f"centre {_format_point(centre)}{score}"
    )


def summarise(report: GroundedReport, boxes_shown: int = 3) -> list[str]:
    """One block of lines per phrase: mask size/extent/centre, the best boxes' extent and centre."""
    lines: list[str] = []
    for number, phrase in enumerate(report.phrases, start=1):
        text = report.body.phrase_text(phrase)
        lines.append(f"[{number}] '{text}' → {phrase.target}")
        overlays = report.overlays_of(phrase)
        if not overlays:
            lines.append("    no region found (empty mask / no box above the threshold)")
        for overlay in overlays:
            if isinstance(overlay, MaskOverlay):
                lines.append(_mask_line(overlay))
            elif isinstance(overlay, BoxOverlay):
                lines += [_box_line(overlay, box) for box in overlay.boxes[:boxes_shown]]
                if len(overlay.boxes) > boxes_shown:
                    lines.append(f"    … {len(overlay.boxes) - boxes_shown} more boxes")
    return lines


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    """Load the image and the model, stream the report, print its regions."""
    from model.generation import ForcedTokens
    from vividmed_viewer.inference.jobs import load_pipeline
    from vividmed_viewer.inference.model_runs import run_report
    from vividmed_viewer.io import load_image

    try:
        volume = load_image(args.image)
        pipeline = load_pipeline(args.checkpoint or args.config, device=args.device)
    except VividMedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    described = pipeline.describe()
    print(f"Image: {volume.describe()}")
    print(
        f"Model: {described['name']}, checkpoint {described['checkpoint']}, on {described['device']}"
    )
    if not pipeline.trained:
        print(UNTRAINED_NOTE)
    answer, note = forced_answer(args, pipeline.trained)
    processors = []
    if answer is not None:
        processors.append(ForcedTokens.from_answer(pipeline.tokenizer, pipeline.token_ids, answer))
        print(note)
    print("-" * 72)
    arrived: list[StreamedPhrase] = []

    def on_phrase(streamed: StreamedPhrase) -> None:  # marks each phrase as its regions arrive
        arrived.append(streamed)
        _write(f"[{len(arrived)}]")

    box_threshold = args.box_threshold
    if note == TEMPLATE_NOTE and box_threshold is None:
        box_threshold = 0.0
    started = time.perf_counter()
    try:
        report = run_report(
            pipeline,
            volume,
            question=args.question,
            max_new_tokens=args.max_new_tokens,
            box_threshold=box_threshold,
            heads=args.heads,
            on_text=_write,
            on_phrase=on_phrase,
            logits_processors=processors,
        )
    except VividMedError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    print("\n" + "-" * 72)
    print(f"{len(report.phrases)} grounded phrases in {time.perf_counter() - started:.1f} s")
    print(f"({report.provenance.describe()})")
    for line in summarise(report):
        print(line)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m vividmed_viewer.cli.stream_report IMAGE ...``."""
    parser = argparse.ArgumentParser(prog="vividmed report")
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
