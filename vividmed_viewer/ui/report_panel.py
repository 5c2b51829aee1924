"""The report panel: provenance header, linked phrases, region sizes, reader edits.

It observes a ``GroundedReport`` (its ``changed`` event, so streamed text appears as it is
written) and talks to a viewer only through ``highlight_overlay`` and ``overlay_hovered``.
"""

from __future__ import annotations

import html
import logging
from typing import Any, Protocol

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vividmed_viewer.core import (
    GroundedReport,
    Phrase,
    ReportStatus,
    SourceKind,
    Taxonomy,
    default_taxonomy,
)
from vividmed_viewer.ui.report_html import (
    describe_overlay_size,
    phrase_index_from_link,
    report_body_html,
)

logger = logging.getLogger(__name__)

SOURCE_BADGES = {
    SourceKind.MODEL: ("AI MODEL", "#d9822b"),
    SourceKind.GROUND_TRUTH: ("GROUND TRUTH", "#3b8f5a"),
    SourceKind.HUMAN: ("HUMAN", "#4a7fc1"),
}


class HighlightTarget(Protocol):
    """What the panel needs of a viewer (``ImageViewer`` provides it)."""

    overlay_hovered: Any

    def highlight_overlay(self, overlay_id: str) -> None: ...


class ReportPanel(QWidget):
    """Shows one grounded report; click a phrase to see its region, hover a region to see its phrase."""

    phrase_activated = Signal(object)  # Phrase
    _report_changed = Signal()

    def __init__(self, parent: QWidget | None = None, taxonomy: Taxonomy | None = None) -> None:
        super().__init__(parent)
        self.taxonomy = taxonomy or default_taxonomy()
        self.report: GroundedReport | None = None
        self.viewer: HighlightTarget | None = None
        self.hovered_index: int | None = None
        self.selected_index: int | None = None

        self.badge = QLabel()
        self.provenance_label = QLabel("No report")
        self.provenance_label.setWordWrap(True)
        self.status_label = QLabel()
        self.warning_label = QLabel()
        self.warning_label.setObjectName("report_warning")
        self.warning_label.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor_clicked)
        self.selection_label = QLabel()
        self.selection_label.setWordWrap(True)
        self.edited_title = QLabel("<b>Reader's edited text</b> (the model's text above is kept)")
        self.edited_view = QLabel()
        self.edited_view.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.edit_button = QPushButton("Edit")
        self.save_button = QPushButton("Save edits")
        self.cancel_button = QPushButton("Cancel")
        self.revert_button = QPushButton("Discard edits")
        self.edit_button.clicked.connect(self.start_editing)
        self.save_button.clicked.connect(self.save_edits)
        self.cancel_button.clicked.connect(self.stop_editing)
        self.revert_button.clicked.connect(self.discard_edits)
        self._layout_widgets()
        # Bursts of changes (streamed tokens) are drawn once per event-loop pass.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._report_changed.connect(self._refresh_timer.start)
        self._set_editing(False)

    def _layout_widgets(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.badge)
        header.addWidget(self.provenance_label, 1)
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.save_button, self.cancel_button, self.revert_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.browser, 3)
        layout.addWidget(self.selection_label)
        layout.addWidget(self.edited_title)
        layout.addWidget(self.edited_view)
        layout.addWidget(self.editor, 2)
        layout.addLayout(buttons)

    # --- wiring -------------------------------------------------------------------------
    def set_report(self, report: GroundedReport | None) -> None:
        """Show ``report`` (None clears) and follow its ``changed`` event."""
        if self.report is not None:
            self.report.changed.disconnect(self._on_report_changed)
        self.report = report
        self.hovered_index = self.selected_index = None
        self.selection_label.clear()
        if report is not None:
            report.changed.connect(self._on_report_changed)
        self.stop_editing()

    def set_viewer(self, viewer: HighlightTarget | None) -> None:
        """Link to a viewer: clicks highlight its overlays, its hover lights up phrases."""
        if self.viewer is not None:
            self.viewer.overlay_hovered.disconnect(self.highlight_phrase_of_overlay)
        self.viewer = viewer
        if viewer is not None:
            viewer.overlay_hovered.connect(self.highlight_phrase_of_overlay)

    def _on_report_changed(self) -> None:
        # May come from a worker thread while text streams in; the signal queues it.
        self._report_changed.emit()

    # --- display ------------------------------------------------------------------------
    def refresh(self) -> None:
        report = self.report
        editing = self.is_editing
        if report is None:
            self.badge.clear()
            self.provenance_label.setText("No report loaded")
            self.status_label.clear()
            self.warning_label.hide()
            self.browser.clear()
        else:
            text, colour = SOURCE_BADGES[report.provenance.kind]
            self.badge.setText(
                f'<span style="background-color:{colour}; color:white; padding:2px;">'
                f"&nbsp;{text}&nbsp;</span>"
            )
            self.provenance_label.setText(report.provenance.describe())
            warning = model_warning(report)
            self.warning_label.setText(
                f'<span style="color:#e05050; font-weight:600;">&#9888; {html.escape(warning)}</span>'
            )
            self.warning_label.setVisible(bool(warning))
            self.status_label.setText(_status_text(report.status))
            self.status_label.setVisible(report.status is not ReportStatus.COMPLETE)
            scroll = self.browser.verticalScrollBar().value()
            self.browser.setHtml(
                report_body_html(
                    report, self.taxonomy, hovered=self.hovered_index, selected=self.selected_index
                )
            )
            self.browser.verticalScrollBar().setValue(scroll)
        has_edits = report is not None and report.edited_text is not None
        self.edited_title.setVisible(has_edits and not editing)
        self.edited_view.setVisible(has_edits and not editing)
        self.edited_view.setText(report.edited_text or "" if report is not None else "")
        self.edit_button.setEnabled(report is not None and not editing)
        self.revert_button.setEnabled(has_edits and not editing)

    def phrase_index(self, phrase: Phrase) -> int:
        assert self.report is not None
        return self.report.phrases.index(phrase)

    def highlight_phrase_of_overlay(self, overlay_id: str | None) -> None:
        """Light up the phrase linked to ``overlay_id`` (None: none lit)."""
        index = None
        if self.report is not None and overlay_id is not None:
            phrase = self.report.phrase_for_overlay(str(overlay_id))
            index = self.phrase_index(phrase) if phrase is not None else None
        if index != self.hovered_index:
            self.hovered_index = index
            self.refresh()

    def activate_phrase(self, index: int) -> None:
        """What a click on phrase ``index`` does: highlight its regions and show their size."""
        if self.report is None or not 0 <= index < len(self.report.phrases):
            logger.warning("no phrase %s in the report", index)
            return
        phrase = self.report.phrases[index]
        overlays = self.report.overlays_of(phrase)
        self.selected_index = index
        sizes = [describe_overlay_size(o) for o in overlays]
        self.selection_label.setText("<br>".join(sizes) or f"'{phrase.target}' has no region")
        if self.viewer is not None:
            # The first overlay is highlighted last, so the views end on its centre.
            for overlay in reversed(overlays):
                self.viewer.highlight_overlay(overlay.overlay_id)
        self.refresh()
        self.phrase_activated.emit(phrase)

    def _on_anchor_clicked(self, url: QUrl) -> None:
        index = phrase_index_from_link(url.toString())
        if index is None:
            logger.warning("ignoring link %s in the report", url.toString())
            return
        self.activate_phrase(index)

    # --- editing ------------------------------------------------------------------------
    def start_editing(self) -> None:
        if self.report is None:
            return
        text = self.report.edited_text if self.report.edited_text is not None else self.report.text
        self.editor.setPlainText(text)
        self._set_editing(True)

    def save_edits(self) -> None:
        """Store the editor's text in ``report.edited_text``; the model's text is untouched."""
        if self.report is None:
            return
        self.report.edited_text = self.editor.toPlainText()
        self._set_editing(False)
        self.report.changed.emit()

    def discard_edits(self) -> None:
        if self.report is None:
            return
        self.report.edited_text = None
        self.refresh()
        self.report.changed.emit()

    def stop_editing(self) -> None:
        self._set_editing(False)

    @property
    def is_editing(self) -> bool:
        return not self.editor.isHidden()

    def _set_editing(self, editing: bool) -> None:
        self.editor.setVisible(editing)
        self.save_button.setVisible(editing)
        self.cancel_button.setVisible(editing)
        self.edit_button.setVisible(not editing)
        self.revert_button.setVisible(not editing)
        self.refresh()


def model_warning(report: GroundedReport) -> str:
    """The provenance note when it says the weights are untrained or a demonstration's."""
    note = report.provenance.note
    if report.provenance.kind is SourceKind.MODEL and any(
        word in note.lower() for word in ("untrained", "demonstration")
    ):
        return note
    return ""


def _status_text(status: ReportStatus) -> str:
    return {
        ReportStatus.STREAMING: "Writing…",
        ReportStatus.STOPPED: "Stopped before the end",
        ReportStatus.FAILED: "Generation failed",
        ReportStatus.COMPLETE: "",
    }[status]
