"""``python -m model.demo IMAGE``: stream a grounded report for an image and summarise its regions.

Until trained weights are installed the vision and localization parts are random: the text
comes from the language backbone alone and the regions are meaningless (the demo says so).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import VividMedError
from vividmed_viewer.core.overlays import BoxOverlay, MaskOverlay
from vividmed_viewer.core.report import GroundedReport

UNTRAINED_NOTE = (
    "NOTE: untrained weights: the vision and localization parts are random until the "
    "training issue lands; the text and regions below are not a medical opinion."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model.demo", description=__doc__)
    parser.add_argument("image", help="DICOM file/folder, NIfTI file or PNG/JPEG radiograph")
    parser.add_argument("--config", default="demo", choices=["tiny", "demo", "paper"])
    parser.add_argument("--checkpoint", help="a trained checkpoint directory (overrides --config)")
    parser.add_argument("--question", help="ask this instead of requesting a report")
    parser.add_argument("--max-new-tokens", type=int, default=150)
    parser.add_argument("--box-threshold", type=float, default=None)
    parser.add_argument("--heads", default="taxonomy", choices=["taxonomy", "both"])
    parser.add_argument("--device", default="auto")
    return parser


def _format_point(point: Sequence[float] | NDArray[np.float64]) -> str:
    return "(" + ", ".join(f"{v:.1f}" for v in point) + ") mm LPS"


def summarise(report: GroundedReport) -> list[str]:
    """One block of lines per phrase: mask voxels/mL/extent, boxes extent and centre."""
    lines: list[str] = []
    for number, phrase in enumerate(report.phrases, start=1):
        text = report.body.phrase_text(phrase)
        lines.append(f"[{number}] '{text}' → {phrase.target}")
        overlays = report.overlays_of(phrase)
        if not overlays:
            lines.append("    no region found")
        for overlay in overlays:
            if isinstance(overlay, MaskOverlay):
                extent = overlay.bounding_box()
                size = "" if extent is None else f", extent {extent[1] - extent[0] + 1} voxels"
                lines.append(
                    f"    mask: {overlay.voxel_count} voxels, {overlay.volume_ml:.2f} mL{size}, "
                    f"centre {_format_point(overlay.center_patient())}"
                )
            elif isinstance(overlay, BoxOverlay):
                for box in overlay.boxes:
                    extent_mm = box.extent_mm(overlay.geometry)
                    centre = overlay.geometry.index_to_patient(box.center)
                    score = f" score {box.score:.2f}" if box.score is not None else ""
                    lines.append(
                        f"    box: {tuple(int(v) for v in box.minimum)}–"
                        f"{tuple(int(v) for v in box.maximum)} (z, y, x), "
                        f"{' × '.join(f'{v:.1f}' for v in extent_mm)} mm, "
                        f"centre {_format_point(centre)}{score}"
                    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from model.pipeline import VividMedPipeline
    from vividmed_viewer.io import load_image

    try:
        volume = load_image(args.image)
        source = args.checkpoint or args.config
        pipeline = VividMedPipeline.from_pretrained(source, device=args.device)
    except VividMedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Image: {volume.describe()}")
    print(f"Model: {pipeline.describe()['name']} ({pipeline.describe()['checkpoint']})")
    if not pipeline.trained:
        print(UNTRAINED_NOTE)
    print("-" * 72)

    def on_text(delta: str) -> None:
        sys.stdout.write(delta)
        sys.stdout.flush()

    try:
        report = pipeline.generate_report(
            volume,
            question=args.question,
            max_new_tokens=args.max_new_tokens,
            box_threshold=args.box_threshold,
            heads=args.heads,
            on_text=on_text,
        )
    except VividMedError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    print("\n" + "-" * 72)
    print(f"{len(report.phrases)} grounded phrases ({report.provenance.describe()})")
    for line in summarise(report):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
