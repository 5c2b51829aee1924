"""Help ▸ Open Log File: the log file in the desktop's viewer, or a message saying where it is."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from vividmed_viewer.logs import log_file_path

logger = logging.getLogger(__name__)


def open_log_file(parent: QWidget) -> QMessageBox | None:
    """Open the log file with the desktop's handler; where none opens it, say where it is.

    Returns the message box shown instead (None when the file was handed to the desktop).
    """
    path = log_file_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)  # a viewer cannot open a file no message was logged to yet
    except OSError as error:
        logger.warning("cannot create the log file %s: %s", path, error)
    if path.is_file() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return None
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Log file",
        f"The log file could not be opened here. It is at:\n{path}",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box
