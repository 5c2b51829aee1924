"""``vividmed screenshot IMAGE [--report R.json] [--layout 2d|mpr|3d] [--highlight PHRASE] --out shot.png``.

Renders the image offscreen (no window, no Qt) with the report's overlays and prints the
path written. ``--highlight`` centres every view on the phrase's region and highlights it.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import numpy as np

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.io import load_image

logger = logging.getLogger(__name__)
LAYOUTS = ("2d", "mpr", "3d")


def parse_size(text: str) -> tuple[int, int]:
    """``"800x600"`` → (800, 600)."""
    parts = text.lower().split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"size must look like 800x600, got {text!r}") from error
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise argparse.ArgumentTypeError(f"size must be 16..8192 pixels per side, got {text!r}")
    return width, height


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", type=Path, help="a DICOM file or folder, NIfTI, PNG/JPEG")
    parser.add_argument("--report", type=Path, help="a grounded report JSON whose overlays to show")
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        help="2d: one axial view; mpr: axial/coronal/sagittal + 3D; 3d: the 3D view "
        "(default: 2d for radiographs, mpr for volumes)",
    )
    parser.add_argument("--highlight", metavar="PHRASE", help="centre on and highlight a phrase")
    parser.add_argument("--size", type=parse_size, default=(1024, 1024), help="WxH in pixels")
    parser.add_argument("--out", type=Path, required=True, help="the PNG file to write")


def _highlighted(
    report: GroundedReport | None, phrase_query: str | None, report_path: Any
) -> list[Overlay]:
    """The overlays of the phrase ``--highlight`` names (error when it is not in the report)."""
    if phrase_query is None:
        return []
    if report is None:
        raise ValidationError(f"--highlight {phrase_query!r} needs a --report to find it in")
    phrase = report.find_phrase(phrase_query)
    if phrase is None:
        targets = ", ".join(sorted({p.target for p in report.phrases})) or "none"
        raise ValidationError(
            f"{report_path}: no phrase matches {phrase_query!r} (targets in the report: {targets})"
        )
    overlays = report.overlays_of(phrase)
    if not overlays:
        raise ValidationError(f"{report_path}: the phrase {phrase_query!r} has no region to show")
    return overlays


def render_screenshot(
    volume: ImageVolume,
    overlays: list[Overlay],
    layout: str,
    size: tuple[int, int],
    highlighted: list[Overlay],
) -> np.ndarray:
    """Render ``volume`` with overlays in a layout; returns the RGB frame."""
    from vividmed_viewer.render.offscreen import OffscreenLayout
    from vividmed_viewer.render.slice_scene import SliceScene

    orientations = (
        ("axial",) if layout == "2d" or volume.is_2d else ("axial", "coronal", "sagittal")
    )
    scenes = [] if layout == "3d" else [SliceScene(o) for o in orientations]
    for scene in scenes:
        scene.set_volume(volume)
        scene.set_overlays(overlays)
    volume_scene = None
    if layout in ("mpr", "3d") and not volume.is_2d:
        from vividmed_viewer.render.volume_scene import VolumeScene

        volume_scene = VolumeScene()
        volume_scene.set_volume(volume)
        volume_scene.set_overlays(overlays)
    renderers: list[Any] = [scene.renderer for scene in scenes]
    if layout == "mpr":
        renderers += [None] * (3 - len(renderers))
    if volume_scene is not None:
        renderers.append(volume_scene.renderer)
    offscreen = OffscreenLayout(renderers, "mpr" if len(renderers) > 1 else layout, size)
    for scene in scenes:
        scene.reset_camera()
    if highlighted:
        centre = highlighted[0].center_patient()
        for scene in scenes:
            scene.center_on(centre)
            scene.set_highlight(highlighted[0].overlay_id)
    if volume_scene is not None:
        offscreen.window.Render()
        volume_scene.refresh_render_mode()
        volume_scene.reset_camera()
        if highlighted:
            volume_scene.highlight(highlighted[0].overlay_id)
    frame = offscreen.render()
    offscreen.close()
    return frame


def run(args: argparse.Namespace) -> int:
    from vividmed_viewer.render.offscreen import save_png

    if not args.image.exists():
        raise ValidationError(f"{args.image}: image not found")
    if args.report is not None and not args.report.exists():
        raise ValidationError(f"{args.report}: report not found")
    if not args.out.parent.exists():
        raise ValidationError(f"{args.out}: folder {args.out.parent} does not exist")
    report = GroundedReport.load(args.report) if args.report is not None else None
    highlighted = _highlighted(report, args.highlight, args.report)
    volume = load_image(args.image)
    layout = args.layout or ("2d" if volume.is_2d else "mpr")
    if layout == "3d" and volume.is_2d:
        raise ValidationError(f"{args.image}: a one-slice image has no 3D view (use --layout 2d)")
    if layout == "mpr" and volume.is_2d:
        logger.warning("%s has one slice: showing the 2d layout instead of mpr", args.image)
        layout = "2d"
    overlays = list(report.overlays.values()) if report is not None else []
    logger.info("rendering %s in layout %s at %s", volume.describe(), layout, args.size)
    frame = render_screenshot(volume, overlays, layout, args.size, highlighted)
    print(save_png(frame, args.out))
    return 0
