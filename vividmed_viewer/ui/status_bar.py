"""Status bar: value under the cursor (HU or raw units), position (mm, or px without spacing),
slice; task progress."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from vividmed_viewer.core.cursor_position import format_patient_position
from vividmed_viewer.core.units import format_value

VIEW_AXES = {"axial": 0, "coronal": 1, "sagittal": 2}


class ViewerStatusBar(QStatusBar):
    """Cursor read-out on the right, a progress bar with a cancel button while tasks run."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value_label = QLabel()
        self.position_label = QLabel()
        self.slice_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(180)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        for widget in (self.progress, self.cancel_button):
            self.addWidget(widget)
            widget.hide()
        for label in (self.value_label, self.position_label, self.slice_label):
            label.setMinimumWidth(90)
            self.addPermanentWidget(label)
        self.slice_counts: dict[str, int] = {}

    def set_slice_counts(self, shape: tuple[int, int, int] | None) -> None:
        """Remember the number of slices per view (from the volume's shape)."""
        self.slice_counts = {} if shape is None else {v: shape[a] for v, a in VIEW_AXES.items()}
        self.slice_label.clear()

    def show_cursor(self, info: Any) -> None:
        """Show a ``CursorInfo`` (view, index, patient, value, units); None clears."""
        if info is None:
            self.value_label.clear()
            self.position_label.clear()
            return
        self.value_label.setText(format_value(info.value, getattr(info, "units", "")))
        self.position_label.setText(
            getattr(info, "position", "") or format_patient_position(info.patient)
        )

    def show_slice(self, view: str, index: int) -> None:
        count = self.slice_counts.get(view)
        total = f"/{count}" if count else ""
        self.slice_label.setText(f"{view} {index + 1}{total}")

    def start_progress(self, message: str) -> None:
        self.showMessage(message)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()

    def start_busy(self, message: str) -> None:
        """A busy indicator (no known end, no cancel button: the task has its own Stop)."""
        self.start_progress(message)
        self.progress.setRange(0, 0)
        self.cancel_button.hide()

    def set_progress(self, fraction: float, message: str = "") -> None:
        self.progress.setValue(round(fraction * 1000))
        if message:
            self.showMessage(message)

    def finish_progress(self, message: str = "", timeout_ms: int = 5000) -> None:
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button.hide()
        if message:
            self.showMessage(message, timeout_ms)
        else:
            self.clearMessage()
