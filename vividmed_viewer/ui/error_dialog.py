"""Show an error to the user AND log it; never block, never crash the window."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from vividmed_viewer.core.errors import VividMedError

logger = logging.getLogger(__name__)


def describe_error(error: BaseException | str) -> str:
    """The text a user reads: project errors already name the file and the problem."""
    if isinstance(error, str):
        return error
    if isinstance(error, VividMedError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def show_error(parent: QWidget | None, title: str, error: BaseException | str) -> QMessageBox:
    """Log ``error`` and open a (non-blocking, window-modal) error dialog about it."""
    message = describe_error(error)
    if isinstance(error, BaseException) and not isinstance(error, VividMedError):
        logger.error("%s: %s", title, message, exc_info=error)
    else:
        logger.error("%s: %s", title, message)
    box = QMessageBox(
        QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("error_dialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box
