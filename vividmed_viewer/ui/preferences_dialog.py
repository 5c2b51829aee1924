"""Model preferences (device, max new tokens, box threshold, grounded chat) in QSettings."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.inference.inference_settings import DEFAULT_MODEL, InferenceSettings

logger = logging.getLogger(__name__)

GROUP = "model"
DEVICE_LABELS = (("auto", "Automatic (GPU when present)"), ("cpu", "CPU"), ("cuda", "GPU (CUDA)"))


def _bool(value: object) -> bool:
    return str(value).lower() in ("1", "true", "yes")


def read_inference_settings(settings: QSettings) -> InferenceSettings:
    """The stored preferences; defaults for anything absent or invalid (logged)."""
    defaults = InferenceSettings()
    threshold = settings.value(f"{GROUP}/box_threshold", "")
    try:
        return InferenceSettings(
            device=str(settings.value(f"{GROUP}/device", defaults.device)),
            max_new_tokens=int(
                str(settings.value(f"{GROUP}/max_new_tokens", defaults.max_new_tokens))
            ),
            box_threshold=float(str(threshold)) if threshold not in ("", None) else None,
            grounded_chat=_bool(settings.value(f"{GROUP}/grounded_chat", defaults.grounded_chat)),
        )
    except (ValueError, ValidationError) as error:
        logger.warning("ignoring invalid model preferences (%s); using defaults", error)
        return defaults


def write_inference_settings(settings: QSettings, value: InferenceSettings) -> None:
    settings.setValue(f"{GROUP}/device", value.device)
    settings.setValue(f"{GROUP}/max_new_tokens", value.max_new_tokens)
    settings.setValue(
        f"{GROUP}/box_threshold", "" if value.box_threshold is None else value.box_threshold
    )
    settings.setValue(f"{GROUP}/grounded_chat", value.grounded_chat)
    settings.sync()


def read_model_source(settings: QSettings) -> str:
    """The model last chosen: a config name or a checkpoint folder (``demo`` by default)."""
    return str(settings.value(f"{GROUP}/source", DEFAULT_MODEL)) or DEFAULT_MODEL


def write_model_source(settings: QSettings, source: str) -> None:
    settings.setValue(f"{GROUP}/source", source)
    settings.sync()


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


class PreferencesDialog(QDialog):
    """Edit :class:`InferenceSettings`; ``settings()`` gives the result after ``accept``."""

    def __init__(self, current: InferenceSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("model_preferences")
        self.setWindowTitle("Model preferences")
        self.device_box = QComboBox()
        for value, label in DEVICE_LABELS:
            self.device_box.addItem(label, value)
        self.device_box.setCurrentIndex([v for v, _ in DEVICE_LABELS].index(current.device))
        self.tokens_box = QSpinBox()
        self.tokens_box.setRange(1, 4096)
        self.tokens_box.setValue(current.max_new_tokens)
        self.threshold_default = QCheckBox("model default")
        self.threshold_box = QDoubleSpinBox()
        self.threshold_box.setRange(0.0, 1.0)
        self.threshold_box.setSingleStep(0.05)
        self.threshold_box.setDecimals(2)
        self.threshold_box.setValue(0.5 if current.box_threshold is None else current.box_threshold)
        self.threshold_default.toggled.connect(lambda on: self.threshold_box.setEnabled(not on))
        self.threshold_default.setChecked(current.box_threshold is None)
        self.threshold_box.setEnabled(current.box_threshold is not None)
        self.grounded_box = QCheckBox("Link regions to phrases in chat answers")
        self.grounded_box.setChecked(current.grounded_chat)
        self.device_note = QLabel()
        self.device_note.setWordWrap(True)
        self.device_box.currentIndexChanged.connect(self._update_note)
        self._current = current
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.threshold_box)
        threshold_row.addWidget(self.threshold_default)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Device", self.device_box)
        form.addRow("", self.device_note)
        form.addRow("Max new tokens", self.tokens_box)
        form.addRow("Box threshold", threshold_row)
        form.addRow("Chat", self.grounded_box)
        form.addRow(buttons)
        self._update_note()

    def _update_note(self) -> None:
        device = self.device_box.currentData()
        note = "Changing the device reloads the model on next use."
        if device == "cuda" and not cuda_available():
            note = "No CUDA GPU is available here: loading on the GPU will fail."
        self.device_note.setText(note)

    def settings(self) -> InferenceSettings:
        """The edited preferences."""
        return self._current.with_changes(
            device=str(self.device_box.currentData()),
            max_new_tokens=self.tokens_box.value(),
            box_threshold=None
            if self.threshold_default.isChecked()
            else self.threshold_box.value(),
            grounded_chat=self.grounded_box.isChecked(),
        )
