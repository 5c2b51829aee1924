"""The main window with the real image viewer: open, status read-out, errors, drops, settings."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pydicom.data
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume
from vividmed_viewer.io import write_dicom_series
from vividmed_viewer.ui.app import create_window
from vividmed_viewer.ui.main_window import MainWindow
from vividmed_viewer.ui.settings import app_settings
from vividmed_viewer.ui.views.slice_view import SliceView

Case = tuple[ImageVolume, GroundedReport]
LOAD_TIMEOUT_MS = 60_000


def make_window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def wait_for_volume(qtbot: QtBot, window: MainWindow) -> ImageVolume:
    qtbot.waitUntil(lambda: window.volume is not None, timeout=LOAD_TIMEOUT_MS)
    assert window.volume is not None
    return window.volume


def write_series(volume: ImageVolume, folder: Path) -> Path:
    write_dicom_series(volume, folder, series_description="chest phantom")
    return folder


def error_dialogs() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "error_dialog" and w.isVisible()
    ]


def test_open_dicom_folder_shows_volume_and_lists_series(
    qtbot: QtBot, tmp_path: Path, sample_case: Case
) -> None:
    volume, _ = sample_case
    window = make_window(qtbot)
    window.open_path(write_series(volume, tmp_path / "ct"))
    shown = wait_for_volume(qtbot, window)
    assert shown.shape == volume.shape and shown.modality == "CT"
    assert [item.text().splitlines()[1] for item in window.study_browser.items()] == [
        "chest phantom"
    ]
    assert "chest phantom" in window.windowTitle()
    assert str((tmp_path / "ct").resolve()) in str(app_settings().value("recent/paths"))


def test_radiograph_opens(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    path = Path(pydicom.data.get_testdata_file("RG1_UNCR.dcm"))
    window.open_path(path)
    shown = wait_for_volume(qtbot, window)
    assert shown.is_2d and shown.modality in ("CR", "DX")
    assert window.recent.paths[0] == str(path.resolve())


def test_bad_file_gives_an_error_dialog_and_the_window_stays_usable(
    qtbot: QtBot, tmp_path: Path, sample_case: Case
) -> None:
    bad = tmp_path / "scan.dcm"
    bad.write_bytes(b"\x00" * 400)
    window = make_window(qtbot)
    window.open_path(bad)
    qtbot.waitUntil(lambda: bool(error_dialogs()), timeout=10_000)
    dialog = error_dialogs()[0]
    assert str(bad) in dialog.text()
    assert dialog.windowTitle() == "Cannot open scan.dcm"
    dialog.close()  # auto-close, as a user would press OK
    volume, _ = sample_case
    window.open_path(write_series(volume, tmp_path / "good"))
    assert wait_for_volume(qtbot, window).shape == volume.shape


def test_broken_report_names_the_file(qtbot: QtBot, tmp_path: Path) -> None:
    broken = tmp_path / "report.json"
    broken.write_text('{"format": "something else"}')
    window = make_window(qtbot)
    window.open_report(broken)
    dialog = error_dialogs()[0]
    assert dialog.text() == f"{broken}: not a VividMed grounded report (missing 'format')"
    dialog.close()
    assert window.report is None


def test_dropping_a_folder_opens_it(qtbot: QtBot, tmp_path: Path, sample_case: Case) -> None:
    volume, _ = sample_case
    folder = write_series(volume, tmp_path / "dropped")
    window = make_window(qtbot)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(
        QPointF(100, 100),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Qt 6.12's QApplication.notify delivers Drop only during a real drag: hand it to the
    # window's own event dispatch, as the drag manager does.
    window.event(event)
    assert event.isAccepted()
    assert wait_for_volume(qtbot, window).shape == volume.shape


def test_report_and_image_from_the_command_line(
    qtbot: QtBot, tmp_path: Path, sample_case: Case
) -> None:
    volume, report = sample_case
    report.save(tmp_path / "report.json")
    window = create_window([write_series(volume, tmp_path / "ct")], tmp_path / "report.json")
    qtbot.addWidget(window)
    window.show()
    wait_for_volume(qtbot, window)
    assert window.report is not None
    assert window.report_panel.browser.toPlainText() == report.text
    assert set(window.overlay_list.rows) == set(report.overlays)


def test_window_geometry_is_remembered(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    window.resize(1000, 700)
    qtbot.wait(50)
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.size().width() == 1000 and again.size().height() == 700


def test_the_study_browser_lists_what_is_open_however_it_was_opened(
    qtbot: QtBot, tmp_path: Path, sample_case: Case
) -> None:
    volume, _ = sample_case
    radiograph = Path(pydicom.data.get_testdata_file("RG1_UNCR.dcm"))
    window = create_window([radiograph])  # as `vividmed-viewer FILE` does
    qtbot.addWidget(window)
    window.show()
    wait_for_volume(qtbot, window)
    browser = window.study_browser
    assert [item.toolTip() for item in browser.open_image_items()] == [str(radiograph.resolve())]
    window.open_path(write_series(volume, tmp_path / "ct"))
    qtbot.waitUntil(lambda: window.volume is not None and not window.volume.is_2d, timeout=60_000)
    qtbot.waitUntil(lambda: len(browser.items()) == 1, timeout=10_000)
    assert len(browser.open_image_items()) == 2
    # another single image: the CT folder's series leave the list, the open images stay
    window.open_path(radiograph)
    qtbot.waitUntil(lambda: window.volume is not None and window.volume.is_2d, timeout=60_000)
    assert browser.items() == [] and len(browser.open_image_items()) == 2
    ct_row = next(i for i in browser.open_image_items() if "slices" in i.text())
    browser.list.itemActivated.emit(ct_row)  # double-click: back to the CT, as it was left
    assert window.volume is not None and not window.volume.is_2d
    assert window.session.active is not None and window.session.active.title in ct_row.text()


def test_readout_in_px_without_spacing_and_a_whole_number_level(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from PIL import Image

    pixels = (np.arange(64 * 80, dtype=np.uint16).reshape(64, 80) % 251).astype(np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(pixels).save(path)
    window = make_window(qtbot)
    window.open_path(path)
    volume = wait_for_volume(qtbot, window)
    assert not volume.spacing_known
    axial = window.viewer.slice_views["axial"]
    corner = axial.scene.corner.actor.GetInput()
    assert re.search(r"W \d+ L \d+$", corner), corner  # no "L 49.375"
    send_mouse_move(axial, axial.from_index((0, 10, 7)))
    assert window.status.position_label.text() == "x 7  y 10 px"
    assert window.status.value_label.text() == f"value {pixels[10, 7]}"


def send_mouse_move(view: SliceView, position: QPointF) -> None:
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        position,
        QPointF(view.canvas.mapToGlobal(position.toPoint())),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.canvas, event)
