"""``vividmed-viewer IMAGE --screenshot OUT.png``: open, draw, save the window, quit.

For documentation and for smoke tests of an installed app or bundle: the real window
opens the image as a user's launch does, and once the first image is drawn (and the views
have settled) the whole window is grabbed from the screen and saved. The app exits 0 when
the file is written, 1 when the image could not be opened or nothing was drawn in time.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from vividmed_viewer.ui.startup import on_first_image

logger = logging.getLogger(__name__)

SETTLE_MS = 1500  # the 3D view's first render and the deferred slice renders come after
TIMEOUT_MS = 120_000


def screenshot_after_first_image(window: Any, path: Path, timeout_ms: int = TIMEOUT_MS) -> None:
    """Save ``window`` as a PNG at ``path`` once its first image is drawn, then quit."""

    def finish(code: int, message: str) -> None:
        print(message, file=sys.stderr if code else sys.stdout)
        QApplication.exit(code)

    def save() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        image = QApplication.primaryScreen().grabWindow(window.winId())
        if image.isNull() or not image.save(str(path)):
            finish(1, f"vividmed-viewer: error: cannot write the screenshot {path}")
            return
        finish(0, f"screenshot {image.width()}×{image.height()}: {path}")

    def failed(source: str, error: BaseException) -> None:
        finish(1, f"vividmed-viewer: error: cannot open {source}: {error}")

    window.loader.failed.connect(failed)
    on_first_image(window, lambda: QTimer.singleShot(SETTLE_MS, save))
    QTimer.singleShot(
        timeout_ms, lambda: finish(1, "vividmed-viewer: error: no image was drawn in time")
    )
