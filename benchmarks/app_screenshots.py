"""Screenshots of the viewer as a user sees it: open an image with ``--generate``, wait for
the default model's report, click one of its phrases, grab the window.

``QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python
benchmarks/app_screenshots.py IMAGE OUT_DIR --click lungs,heart`` writes
``OUT_DIR/<name>-report.png`` (report done) and ``OUT_DIR/<name>-clicked-<target>.png``
(the first phrase naming one of the ``--click`` targets, clicked with the mouse). The grab
reads the X server's framebuffer, so the VTK views come out as drawn.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def pump(app: Any, seconds: float = 0.0, until: Any = None, timeout_s: float = 900.0) -> None:
    """Run the event loop for ``seconds``, or until ``until()`` holds."""
    deadline = time.monotonic() + (seconds if until is None else timeout_s)
    while time.monotonic() < deadline and not (until is not None and until()):
        app.processEvents()
        time.sleep(0.01)
    if until is not None and not until():
        raise TimeoutError("the report did not finish in time")


def click_phrase(window: Any, index: int) -> None:
    """Click phrase ``index`` of the report panel with the mouse, at its middle."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    panel = window.report_panel
    phrase = panel.report.phrases[index]
    cursor = QTextCursor(panel.browser.document())
    cursor.setPosition((phrase.start + phrase.end) // 2)
    position = panel.browser.cursorRect(cursor).center()
    QTest.mouseClick(panel.browser.viewport(), Qt.MouseButton.LeftButton, pos=position)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--click", default="lungs", help="targets to click, first found wins")
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from vividmed_viewer.core import ReportStatus
    from vividmed_viewer.ui.app import create_window

    args.out.mkdir(parents=True, exist_ok=True)
    name = args.image.name.split(".")[0]
    window = create_window([args.image], generate=True)
    window.resize(1500, 950)
    window.show()
    started = time.monotonic()
    pump(
        app,
        until=lambda: (
            window.report is not None
            and window.report.status is not ReportStatus.STREAMING
            and not window.model_features.controller.busy
        ),
    )
    print(f"report {window.report.status.value} after {time.monotonic() - started:.1f} s")
    pump(app, 3.0)  # surfaces and the full-quality 3D render
    screen = app.primaryScreen()
    screen.grabWindow(window.winId()).save(str(args.out / f"{name}-report.png"))
    report = window.report
    print(report.body.tagged())
    wanted = args.click.split(",")
    index = next((i for i, p in enumerate(report.phrases) if p.target in wanted), None)
    if index is not None:
        click_phrase(window, index)
        pump(app, 0.6)
        target = report.phrases[index].target
        path = args.out / f"{name}-clicked-{target.replace(' ', '_')}.png"
        screen.grabWindow(window.winId()).save(str(path))
        print(f"clicked '{target}': {window.report_panel.selection_label.text()} -> {path}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
