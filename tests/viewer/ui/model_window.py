"""Helpers for the model tests: a main window with the tiny model and scripted decoding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import ImageVolume
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.io import save_nifti
from vividmed_viewer.ui.main_window import MainWindow
from vividmed_viewer.ui.preferences_dialog import write_model_source
from vividmed_viewer.ui.settings import app_settings

RUN_TIMEOUT_MS = 60_000
REPORT = [
    "The heart is normal. The", "<p>", " left lung", "</p>", " is clear; a", "<p>",
    " lung nodule", "</p>", " lies in the", "<p>", " right lung", "</p>", ".", "</s>",
]  # fmt: skip
ANSWER = ["Yes, a", "<p>", " lung nodule", "</p>", " is seen.", "</s>"]


def make_model_window(
    qtbot: QtBot, volume: ImageVolume, folder: Path, pipeline: Any | None = None
) -> MainWindow:
    """A shown window with ``volume`` open (as ``folder/phantom.nii.gz``); the tiny model is
    the chosen model, and ``pipeline`` (when given) is already loaded."""
    write_model_source(app_settings(), "tiny")
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    controller = window.model_features.controller
    controller.set_settings(InferenceSettings(device="cpu", box_threshold=0.0))
    if pipeline is not None:
        controller.use_pipeline(pipeline, "tiny")
    path = folder / "phantom.nii.gz"
    save_nifti(volume.voxels, volume.geometry, path)
    window.show_volume(volume, str(path))
    return window


def wait_idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.model_features.controller.busy, timeout=RUN_TIMEOUT_MS)


def dialogs(name: str) -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == name and w.isVisible()
    ]
