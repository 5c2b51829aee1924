"""``vividmed-viewer [PATH ...] [--report R.json] [--results DIR] [--generate]``: start the viewer."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vividmed_viewer.ui.settings import APPLICATION, ORGANISATION

if TYPE_CHECKING:
    from vividmed_viewer.ui.main_window import MainWindow

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vividmed-viewer",
        description="VividMed Viewer: radiology images with grounded reports",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders; the first is shown")
    parser.add_argument(
        "--report", type=Path, help="a grounded report (JSON) to show with its overlays"
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="results of `vividmed infer` (or report JSON files), matched to images by name",
    )
    parser.add_argument(
        "--generate",
        action="store_true",
        help="generate the first image's report with the model once the image is shown",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vividmed-viewer`` console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.results is not None and not args.results.is_dir():
        print(f"vividmed-viewer: error: {args.results}: results folder not found", file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication

    from vividmed_viewer.ui.theme import apply_dark_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    apply_dark_theme(app)
    window = create_window(args.paths, args.report, args.results, generate=args.generate)
    window.show()
    return int(app.exec())


def create_window(
    paths: Sequence[Path] = (),
    report: Path | None = None,
    results: Path | None = None,
    generate: bool = False,
) -> MainWindow:
    """A main window that opens ``paths`` (first shown) and ``report``.

    ``generate`` has the model write the first shown image's report as soon as it is shown.
    """
    from vividmed_viewer.ui.main_window import MainWindow

    window = MainWindow(results_dir=results)
    window.generate_on_show = generate
    if report is not None:
        # With an image to load, the report waits for it; alone, it is shown at once.
        window.open_report(report, wait_for_image=bool(paths))
    if paths:
        window.open_paths(list(paths))
    return window


if __name__ == "__main__":
    raise SystemExit(main())
