"""Overlay list, status-bar read-out and results lookup."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume
from vividmed_viewer.ui.overlay_list import OverlayList
from vividmed_viewer.ui.results_lookup import find_result_report, image_stem
from vividmed_viewer.ui.status_bar import ViewerStatusBar, format_patient_position, format_value

Case = tuple[ImageVolume, GroundedReport]


def test_overlay_list_announces_visibility_colour_and_opacity(
    qtbot: QtBot, sample_case: Case
) -> None:
    _, report = sample_case
    widget = OverlayList()
    qtbot.addWidget(widget)
    widget.set_overlays(report.overlays.values())
    assert set(widget.rows) == set(report.overlays)
    assert widget.rows["gt-lung-nodule"].checkbox.text() == "lung nodule (boxes)"
    assert widget.rows["gt-heart"].checkbox.text() == "heart (mask)"
    changes: list[tuple[str, dict[str, object]]] = []
    widget.style_changed.connect(lambda oid, style: changes.append((oid, style)))
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.mouseClick(widget.rows["gt-heart"].checkbox, Qt.MouseButton.LeftButton)
    widget.rows["gt-left-lung"].opacity_slider.setValue(20)
    widget.set_colour("gt-right-lung", (10, 20, 30))
    assert changes == [
        ("gt-heart", {"visible": False}),
        ("gt-left-lung", {"opacity": 0.2}),
        ("gt-right-lung", {"colour": (10, 20, 30)}),
    ]
    assert "rgb(10,20,30)" in widget.rows["gt-right-lung"].colour_button.styleSheet()
    widget.set_overlays([])
    assert widget.rows == {}


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
