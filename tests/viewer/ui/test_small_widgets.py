"""Overlay list, status-bar read-out and results lookup."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import BoxOverlay, GroundedReport, ImageVolume, MaskOverlay
from vividmed_viewer.core.session import Session
from vividmed_viewer.ui.overlay_list import OverlayList
from vividmed_viewer.ui.results_lookup import find_result_report, image_stem
from vividmed_viewer.ui.status_bar import ViewerStatusBar, format_patient_position, format_value

Case = tuple[ImageVolume, GroundedReport]


def test_overlay_list_edits_the_sessions_styles_and_keeps_them_as_regions_arrive(
    qtbot: QtBot, sample_case: Case
) -> None:
    volume, report = sample_case
    session = Session()
    image = session.open_image(volume, "phantom")
    streaming = GroundedReport()
    session.set_report(image.image_id, streaming)
    widget = OverlayList(session)
    qtbot.addWidget(widget)
    overlays = list(report.overlays.values())
    edited = {"gt-heart", "gt-left-lung", "gt-right-lung"}  # the nodule's phrase comes later
    for overlay in overlays:
        if overlay.overlay_id in edited:
            streaming.add_overlay(overlay)
    widget.show()
    qtbot.waitExposed(widget)
    heart = report.overlays["gt-heart"]
    assert len(overlays) > len(edited) and set(widget.rows) == edited
    qtbot.mouseClick(widget.rows[heart.overlay_id].checkbox, Qt.MouseButton.LeftButton)
    widget.rows["gt-left-lung"].opacity_slider.setValue(20)
    widget.set_colour("gt-right-lung", (10, 20, 30))
    assert not session.style(image.image_id, heart.overlay_id).visible
    assert session.style(image.image_id, "gt-left-lung").opacity == 0.2
    assert session.style(image.image_id, "gt-right-lung").colour == (10, 20, 30)
    for overlay in overlays:  # the rest of the report streams in, and a chat answer too
        if overlay.overlay_id not in streaming.overlays:
            streaming.add_overlay(overlay)
    session.add_chat_overlays(image.image_id, [heart_answer(heart)])
    assert set(widget.rows) == {*report.overlays, "chat-heart"}
    assert not widget.rows[heart.overlay_id].checkbox.isChecked()
    assert widget.rows["gt-left-lung"].opacity_slider.value() == 20
    assert "rgb(10,20,30)" in widget.rows["gt-right-lung"].colour_button.styleSheet()
    assert widget.rows["chat-heart"].checkbox.text() == "heart (mask, chat)"
    assert widget.rows["gt-lung-nodule"].checkbox.text() == "lung nodule (boxes)"
    session.set_style(image.image_id, "gt-left-lung", opacity=0.7)  # changed elsewhere
    assert widget.rows["gt-left-lung"].opacity_slider.value() == 70
    session.set_report(image.image_id, None)
    assert set(widget.rows) == {"chat-heart"}


def heart_answer(heart: MaskOverlay | BoxOverlay) -> MaskOverlay:
    assert isinstance(heart, MaskOverlay)
    return MaskOverlay("heart", heart.label_map, heart.geometry, overlay_id="chat-heart")


def test_value_and_position_read_like_a_radiologist_expects() -> None:
    assert format_value(-600.0, "HU") == "−600 HU"
    assert format_value(1234, "raw") == "value 1234"
    assert format_value(0.25, "") == "value 0.25"
    assert format_value(None, "HU") == ""
    assert format_patient_position((-12.0, 4.5, -30.25)) == "R 12.0  P 4.5  I 30.2 mm"
    assert format_patient_position((3.0, -7.0, 10.0)) == "L 3.0  A 7.0  S 10.0 mm"


def test_status_bar_shows_cursor_and_slice(qtbot: QtBot) -> None:
    bar = ViewerStatusBar()
    qtbot.addWidget(bar)
    bar.set_slice_counts((48, 128, 100))
    info = SimpleNamespace(
        view="axial", index=(3, 4, 5), patient=(1.0, 2.0, 3.0), value=-850.0, units="HU"
    )
    bar.show_cursor(info)
    bar.show_slice("axial", 23)
    bar.show_slice("sagittal", 0)
    assert bar.value_label.text() == "−850 HU"
    assert bar.position_label.text() == "L 1.0  P 2.0  S 3.0 mm"
    assert bar.slice_label.text() == "sagittal 1/100"
    bar.show_cursor(None)
    assert bar.value_label.text() == ""


def test_results_folder_lookup(tmp_path: Path, sample_case: Case) -> None:
    _, report = sample_case
    assert image_stem(Path("/x/case 1.nii.gz")) == "case 1"
    report.save(tmp_path / "chest.json")
    assert find_result_report(tmp_path, Path("/data/chest.dcm")) == tmp_path / "chest.json"
    report.save(tmp_path / "report_film.json")
    assert find_result_report(tmp_path, Path("/data/film.dcm")) == tmp_path / "report_film.json"
    other = tmp_path / "nested"
    other.mkdir()
    data = report.to_dict()
    data["image_reference"] = "/data/scan-77"
    (other / "r.json").write_text(json.dumps(data))
    (other / "broken.json").write_text("{not json")
    assert find_result_report(tmp_path, Path("/data/scan-77")) == other / "r.json"
    assert find_result_report(tmp_path, Path("/data/unknown.dcm")) is None
