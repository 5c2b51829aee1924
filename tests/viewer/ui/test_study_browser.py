"""The study browser lists a scanned folder's series with thumbnails read in the background."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume
from vividmed_viewer.io import scan_path, write_dicom_series
from vividmed_viewer.ui.study_browser import StudyBrowser
from vividmed_viewer.ui.workers import TaskRunner

Case = tuple[ImageVolume, GroundedReport]


def test_series_listed_with_thumbnails_and_opened_on_activation(
    qtbot: QtBot, tmp_path: Path, sample_case: Case
) -> None:
    volume, _ = sample_case
    write_dicom_series(volume, tmp_path / "ct", series_description="chest phantom")
    write_dicom_series(volume, tmp_path / "ct2", series_description="second series")
    studies = scan_path(tmp_path)
    runner = TaskRunner()
    browser = StudyBrowser(runner)
    qtbot.addWidget(browser)
    with qtbot.waitSignal(browser.thumbnails_done, timeout=20_000):
        browser.set_studies(studies)
    items = browser.items()
    assert len(items) == 2
    labels = sorted(item.text() for item in items)
    assert labels[0].endswith("chest phantom") and "CT · 48 images" in labels[0]
    for item in items:
        assert not item.icon().isNull()
        image = item.icon().pixmap(96, 96).toImage()
        # The thumbnail shows the phantom in its lung window: dark lungs, bright body.
        greys = {
            image.pixelColor(x, y).red()
            for x in range(0, image.width(), 4)
            for y in range(0, image.height(), 4)
        }
        assert max(greys) - min(greys) > 150
    browser.show()
    qtbot.waitExposed(browser)
    with qtbot.waitSignal(browser.series_activated) as activated:
        rect = browser.list.visualItemRect(items[0])
        # A real double-click: press/release, then the double-click event.
        qtbot.mouseClick(browser.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(browser.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert activated.args[0] is items[0].data(Qt.ItemDataRole.UserRole)
