"""Fixtures for widget tests: settings in a temporary folder, the sample case, phrase clicks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume
from vividmed_viewer.ui.report_panel import ReportPanel
from vividmed_viewer.ui.sample_case import make_sample_case
from vividmed_viewer.ui.settings import app_settings


@pytest.fixture(autouse=True)
def temporary_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test writes its settings (recent files, shortcuts, geometry) under tmp."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture()
def settings(temporary_settings: Path) -> QSettings:
    return app_settings()


@pytest.fixture(scope="session")
def sample_case_data() -> tuple[ImageVolume, GroundedReport]:
    return make_sample_case()


@pytest.fixture()
def sample_case() -> tuple[ImageVolume, GroundedReport]:
    """A fresh phantom and ground-truth report (tests may edit the report)."""
    return make_sample_case()


class PhraseProbe:
    """Find, click and read the colours of phrase links in a report panel."""

    @staticmethod
    def point(panel: ReportPanel, index: int) -> QPoint:
        """Where phrase ``index`` is drawn in the panel's text view (viewport coordinates)."""
        assert panel.report is not None
        phrase = panel.report.phrases[index]
        cursor = QTextCursor(panel.browser.document())
        cursor.setPosition((phrase.start + phrase.end) // 2)
        return panel.browser.cursorRect(cursor).center()

    @staticmethod
    def click(qtbot: QtBot, panel: ReportPanel, index: int) -> None:
        """Click a phrase link with the mouse, as a user does."""
        qtbot.mouseClick(
            panel.browser.viewport(), Qt.MouseButton.LeftButton, pos=PhraseProbe.point(panel, index)
        )

    @staticmethod
    def background(panel: ReportPanel, index: int) -> tuple[int, int, int] | None:
        """The background colour drawn behind a phrase (None when not lit up)."""
        assert panel.report is not None
        phrase = panel.report.phrases[index]
        cursor = QTextCursor(panel.browser.document())
        cursor.setPosition(phrase.start + 1)
        brush = cursor.charFormat().background()
        if brush.style() == Qt.BrushStyle.NoBrush:
            return None
        colour = brush.color()
        return (colour.red(), colour.green(), colour.blue())

    @staticmethod
    def foreground(panel: ReportPanel, index: int) -> tuple[int, int, int]:
        assert panel.report is not None
        phrase = panel.report.phrases[index]
        cursor = QTextCursor(panel.browser.document())
        cursor.setPosition(phrase.start + 1)
        colour = cursor.charFormat().foreground().color()
        return (colour.red(), colour.green(), colour.blue())


@pytest.fixture()
def phrases() -> type[PhraseProbe]:
    return PhraseProbe


@pytest.fixture(scope="session")
def tiny_pipeline() -> Any:
    """The tiny model (untrained weights, real forward passes) on the CPU, loaded once."""
    from model.pipeline import VividMedPipeline

    return VividMedPipeline.from_pretrained("tiny", device="cpu")
