"""Helpers for the model tests: a shell with the report panel, the model and an open image.

The tiny model is the chosen model, decoding can be scripted (``inference.forcing``) so
the model writes known phrases, and the shell is the minimal test shell (``shell_fixture``)
so the model's part is tested on its own, with a real session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from shell_fixture import TestShell, shown

from vividmed_viewer.core import GroundedReport, ImageVolume
from vividmed_viewer.core.open_image import OpenImage
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.io import save_nifti
from vividmed_viewer.ui.model_features import ModelFeatures
from vividmed_viewer.ui.preferences_dialog import write_model_source
from vividmed_viewer.ui.report_panel import ReportPanel
from vividmed_viewer.ui.settings import app_settings

RUN_TIMEOUT_MS = 60_000
REPORT = [
    "The heart is normal. The", "<p>", " left lung", "</p>", " is clear; a", "<p>",
    " lung nodule", "</p>", " lies in the", "<p>", " right lung", "</p>", ".", "</s>",
]  # fmt: skip
ANSWER = ["Yes, a", "<p>", " lung nodule", "</p>", " is seen.", "</s>"]


class ModelShell(TestShell):
    """The test shell with a report panel and the model's features, as the window has them."""

    __test__ = False

    def __init__(self) -> None:
        super().__init__()
        self.report_panel = ReportPanel(self.session, self)
        self.add_panel(self.report_panel, "Report", "report")
        self.model_features = ModelFeatures(self.session, self)

    @property
    def report(self) -> GroundedReport | None:
        """The active image's report."""
        image = self.session.active
        return image.report if image is not None else None

    @property
    def image(self) -> OpenImage:
        """The active image (the tests always have one)."""
        assert self.session.active is not None
        return self.session.active

    @property
    def volume(self) -> ImageVolume:
        return self.image.volume

    def open(self, volume: ImageVolume, path: Path) -> OpenImage:
        """Save ``volume`` at ``path`` and open it in the session (it becomes active)."""
        save_nifti(volume.voxels, volume.geometry, path)
        return self.session.open_image(volume, str(path))


def make_model_window(
    qtbot: QtBot, volume: ImageVolume, folder: Path, pipeline: Any | None = None
) -> ModelShell:
    """A shown shell with ``volume`` open (as ``folder/phantom.nii.gz``); the tiny model is
    the chosen model, and ``pipeline`` (when given) is already loaded."""
    write_model_source(app_settings(), "tiny")
    window = shown(qtbot, ModelShell(), (1200, 800))
    controller = window.model_features.controller
    controller.set_settings(InferenceSettings(device="cpu", box_threshold=0.0))
    if pipeline is not None:
        controller.use_pipeline(pipeline, "tiny")
    window.open(volume, folder / "phantom.nii.gz")
    return window


def wait_idle(qtbot: QtBot, window: ModelShell) -> None:
    qtbot.waitUntil(lambda: not window.model_features.controller.busy, timeout=RUN_TIMEOUT_MS)


def dialogs(name: str) -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == name and w.isVisible()
    ]
