"""``vividmed-viewer [PATH ...] [--report R.json] [--results DIR] [--generate]``: start the viewer."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vividmed_viewer.logs import configure_logging
from vividmed_viewer.version import app_version

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
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="save the window as PNG once the first image is drawn, then quit",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--version", action="version", version=f"vividmed-viewer {app_version()}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vividmed-viewer`` console script.

    Qt, VTK and the viewer load only after the arguments are read (``--version`` and
    ``--help`` answer at once); the model loads in the background when first used.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    log_file = configure_logging(args.verbose)
    logger.info("vividmed-viewer %s starting; log file %s", app_version(), log_file)
    if args.results is not None and not args.results.is_dir():
        print(f"vividmed-viewer: error: {args.results}: results folder not found", file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication

    from vividmed_viewer.ui.settings import APPLICATION, ORGANISATION
    from vividmed_viewer.ui.theme import apply_dark_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    apply_dark_theme(app)
    if args.screenshot is not None and not args.paths:
        print("vividmed-viewer: error: --screenshot needs an image to open", file=sys.stderr)
        return 2
    window = show_main_window(args)
    if args.screenshot is not None:
        from vividmed_viewer.ui.screenshot_on_start import screenshot_after_first_image

        screenshot_after_first_image(window, args.screenshot)
    return int(app.exec())


def show_main_window(args: argparse.Namespace) -> MainWindow:
    """Show the window of ``main`` at once; what it opens comes once it is on screen.

    The images named on the command line start loading when the window is exposed (their
    loading would otherwise compete with building the window); a first start with nothing
    to open gets the welcome dialog then. ``$VIVIDMED_STARTUP_MARKER`` records the times.
    """
    from vividmed_viewer.ui.startup import install_startup_marker, when_exposed
    from vividmed_viewer.ui.welcome import show_welcome_on_first_run

    window = create_window((), None, args.results, generate=args.generate)
    if args.report is not None:
        # With an image to load, the report waits for it; alone, it is shown at once.
        window.open_report(args.report, wait_for_image=bool(args.paths))
    install_startup_marker(window)
    paths = list(args.paths)
    if paths:
        when_exposed(window, lambda: window.open_paths(paths))
    elif args.report is None and args.results is None:
        when_exposed(window, lambda: show_welcome_on_first_run(window))
    window.show()
    return window


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
