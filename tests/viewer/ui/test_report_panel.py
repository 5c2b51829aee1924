"""The report panel on a real session: provenance, linked phrases, sizes, hover, edits, streaming."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shell_fixture import shown

from vividmed_viewer.core import (
    GroundedReport,
    GroundedText,
    ImageVolume,
    Phrase,
    Provenance,
    ReportStatus,
    SourceKind,
)
from vividmed_viewer.core.overlays import MaskOverlay
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import PhraseSelected
from vividmed_viewer.ui.report_html import describe_overlay_size
from vividmed_viewer.ui.report_panel import ReportPanel

Case = tuple[ImageVolume, GroundedReport]
LEFT = Qt.MouseButton.LeftButton


def make_panel(qtbot: QtBot, case: Case, report: GroundedReport | None = None) -> ReportPanel:
    """A shown panel on a new session with the case's image open and ``report`` (or the
    case's own report) set on it."""
    volume, case_report = case
    session = Session()
    image = session.open_image(volume, "phantom.nii.gz")
    session.set_report(image.image_id, report or case_report)
    return shown(qtbot, ReportPanel(session), (420, 500))


def index_of(report: GroundedReport, target: str) -> int:
    return next(i for i, p in enumerate(report.phrases) if p.target == target)


def test_header_says_where_the_report_came_from(qtbot: QtBot, sample_case: Case) -> None:
    _, report = sample_case
    panel = make_panel(qtbot, sample_case)
    assert panel.provenance_label.text() == report.provenance.describe()
    assert "Ground truth: generated test volume" in panel.provenance_label.text()
    assert "GROUND TRUTH" in panel.badge.text()
    model_report = GroundedReport(
        body=GroundedText("No acute findings."),
        provenance=Provenance(SourceKind.MODEL, "vividmed-tiny", "ckpt-7", {"temperature": 0.0}),
    )
    assert panel.image_id is not None
    panel.session.set_report(panel.image_id, model_report)
    assert panel.report is model_report
    assert "AI MODEL" in panel.badge.text()
    assert (
        panel.provenance_label.text()
        == "Model: vividmed-tiny · checkpoint ckpt-7 · temperature=0.0"
    )


def test_phrases_are_links_in_the_colour_their_region_is_drawn(
    qtbot: QtBot, sample_case: Case, phrases: Any
) -> None:
    _, report = sample_case
    panel = make_panel(qtbot, sample_case)
    assert panel.browser.toPlainText() == report.text
    for index, phrase in enumerate(report.phrases):
        colour = report.overlays[phrase.overlay_ids[0]].colour
        assert phrases.foreground(panel, index) == colour
        assert phrases.background(panel, index) is None
    # A colour picked for the region (the overlay list sets it in the session) shows here.
    assert panel.image_id is not None
    panel.session.set_style(panel.image_id, "gt-heart", colour=(10, 200, 30))
    heart = index_of(report, "heart")
    qtbot.waitUntil(lambda: phrases.foreground(panel, heart) == (10, 200, 30), timeout=2000)


def test_clicking_a_phrase_selects_it_in_the_session_and_shows_its_size(
    qtbot: QtBot, sample_case: Case, phrases: Any
) -> None:
    _, report = sample_case
    panel = make_panel(qtbot, sample_case)
    selected: list[PhraseSelected] = []
    panel.session.events.phrase_selected.connect(selected.append)
    nodule = index_of(report, "lung nodule")
    with qtbot.waitSignal(panel.phrase_activated) as activated:
        phrases.click(qtbot, panel, nodule)
    assert activated.args == [report.phrases[nodule]]
    assert selected == [PhraseSelected(panel.image_id or "", "lung nodule", ("gt-lung-nodule",))]
    assert panel.selected_index == nodule
    assert "lung nodule: 13.5 × 13.5 × 12.5 mm (RL × AP × SI)" in panel.selection_label.text()
    right_lung = index_of(report, "right lung")
    phrases.click(qtbot, panel, right_lung)
    right_lung_mask = report.overlays["gt-right-lung"]
    assert isinstance(right_lung_mask, MaskOverlay)
    expected = right_lung_mask.volume_ml
    assert f"right lung: volume {expected:,.1f} mL" in panel.selection_label.text()


def test_a_selection_made_elsewhere_is_shown_or_cleared(qtbot: QtBot, sample_case: Case) -> None:
    _, report = sample_case
    panel = make_panel(qtbot, sample_case)
    session, image_id = panel.session, panel.image_id
    assert image_id is not None
    heart = index_of(report, "heart")
    session.select_phrase(image_id, report.phrases[heart])  # e.g. a reader-study question
    assert panel.selected_index == heart
    assert panel.selection_label.text().startswith("heart: volume")
    # A phrase that is not the report's (a chat answer's, with no region) clears it.
    session.select_phrase(image_id, Phrase(0, 3, "aorta"))
    assert panel.selected_index is None and panel.selection_label.text() == ""


def test_size_of_2d_regions_is_an_area(sample_case: Case) -> None:
    import numpy as np

    from vividmed_viewer.core import Box, BoxOverlay, GridGeometry, MaskOverlay

    grid = GridGeometry((1, 100, 80), spacing=(1.0, 0.2, 0.25))
    mask = np.zeros((1, 100, 80), dtype=np.uint8)
    mask[0, 10:20, 10:30] = 1  # 10 rows x 20 columns = 200 pixels of 0.05 mm²
    assert describe_overlay_size(MaskOverlay("heart", mask, grid)) == "heart: area 10 mm²"
    boxes = BoxOverlay("lung nodule", [Box((0, 0, 0), (0, 9, 39))], grid)
    assert describe_overlay_size(boxes) == "lung nodule: 10.0 × 2.0 mm (RL × AP)"


def test_hovered_region_lights_up_its_phrase(qtbot: QtBot, sample_case: Case, phrases: Any) -> None:
    _, report = sample_case
    panel = make_panel(qtbot, sample_case)
    assert panel.image_id is not None
    heart = index_of(report, "heart")
    panel.session.set_hovered(panel.image_id, "gt-heart")  # what a view does under the mouse
    assert phrases.background(panel, heart) == report.overlays["gt-heart"].colour
    assert all(
        phrases.background(panel, i) is None for i in range(len(report.phrases)) if i != heart
    )
    panel.session.set_hovered("another-image", "gt-heart")  # not this image: no change
    assert phrases.background(panel, heart) is not None
    panel.session.set_hovered(panel.image_id, None)
    assert phrases.background(panel, heart) is None


def test_the_panel_shows_the_active_images_report(qtbot: QtBot, sample_case: Case) -> None:
    volume, report = sample_case
    panel = make_panel(qtbot, sample_case)
    first = panel.image_id
    session = panel.session
    other = session.open_image(volume, "other.nii.gz")
    assert panel.image_id == other.image_id and panel.report is None
    assert panel.provenance_label.text() == "No report loaded"
    assert panel.browser.toPlainText() == ""
    assert first is not None
    session.set_active(first)
    assert panel.report is report and panel.browser.toPlainText() == report.text
    session.close_image(first)
    assert panel.image_id == other.image_id and panel.report is None


def test_edits_are_stored_apart_from_the_model_text(qtbot: QtBot, sample_case: Case) -> None:
    _, report = sample_case
    original = report.text
    panel = make_panel(qtbot, sample_case)
    qtbot.mouseClick(panel.edit_button, LEFT)
    assert panel.is_editing
    assert panel.editor.toPlainText() == original
    panel.editor.setPlainText(original + " Follow-up CT in 3 months.")
    qtbot.mouseClick(panel.save_button, LEFT)
    assert not panel.is_editing
    assert report.edited_text == original + " Follow-up CT in 3 months."
    assert report.text == original
    assert panel.browser.toPlainText() == original  # linked model text stays
    assert "Follow-up CT in 3 months." in panel.edited_view.text()
    assert panel.edited_view.isVisible()
    assert GroundedReport.from_dict(report.to_dict()).edited_text == report.edited_text
    qtbot.mouseClick(panel.revert_button, LEFT)
    assert report.edited_text is None
    assert not panel.edited_view.isVisible()


def test_streamed_text_appears_as_it_is_written(qtbot: QtBot, sample_case: Case) -> None:
    report = GroundedReport(
        provenance=Provenance(SourceKind.MODEL, "vividmed-tiny"), status=ReportStatus.STREAMING
    )
    panel = make_panel(qtbot, sample_case, report)
    assert panel.status_label.text() == "Writing…"

    def stream() -> None:  # a worker thread writes, as the inference worker may
        for word in ("The ", "heart ", "is ", "normal."):
            report.append_text(word)

    thread = threading.Thread(target=stream)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: panel.browser.toPlainText() == "The heart is normal.", timeout=2000)
    report.set_status(ReportStatus.COMPLETE)
    qtbot.waitUntil(lambda: panel.status_label.isHidden(), timeout=2000)


def test_phrase_added_later_becomes_a_link(qtbot: QtBot, sample_case: Case, phrases: Any) -> None:
    _, report = sample_case
    panel = make_panel(qtbot, sample_case)
    report.append_text(" The left lung is clear.")
    start = report.text.rindex("left lung")
    report.add_phrase(Phrase(start, start + 9, "left lung", ("gt-left-lung",)))
    qtbot.waitUntil(lambda: panel.browser.toPlainText() == report.text, timeout=2000)
    assert (
        phrases.foreground(panel, len(report.phrases) - 1) == report.overlays["gt-left-lung"].colour
    )
