"""The report panel: the active image's report with provenance, linked phrases, sizes, edits.

It follows the session as every :class:`PhrasePanel` does: the active image's report
(streamed text through the report's own ``changed``), the hovered region lights up its
phrase, the selected phrase gets its regions' sizes underneath, and a click on a phrase
calls ``session.select_phrase`` (the views flash and centre on it from the same event).
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vividmed_viewer.core import GroundedReport, ReportStatus, SourceKind, Taxonomy
from vividmed_viewer.core.open_image import OpenImage
from vividmed_viewer.core.session import Session
from vividmed_viewer.ui.phrase_panel import PhrasePanel, ShownText
from vividmed_viewer.ui.report_html import LINK_SCHEME, phrase_index_from_link

logger = logging.getLogger(__name__)

SOURCE_BADGES = {
    SourceKind.MODEL: ("AI MODEL", "#d9822b"),
    SourceKind.GROUND_TRUTH: ("GROUND TRUTH", "#3b8f5a"),
    SourceKind.HUMAN: ("HUMAN", "#4a7fc1"),
}


class ReportPanel(PhrasePanel):
    """The active image's report; click a phrase to see its region, hover a region to see its phrase."""

    def __init__(
        self, session: Session, parent: QWidget | None = None, taxonomy: Taxonomy | None = None
    ) -> None:
        super().__init__(session, parent, taxonomy)
        self.report: GroundedReport | None = None
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
        self._set_editing(False)
        self.show_image(session.active_id)

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

    # --- the phrase panel's part --------------------------------------------------------
    def followed_of(self, image: OpenImage | None) -> GroundedReport | None:
        return image.report if image is not None else None

    def texts(self) -> list[ShownText]:
        report = self.report
        return [(LINK_SCHEME, report.body, report.overlays)] if report is not None else []

    def shown_changed(self) -> None:
        self.report = self.followed
        self.stop_editing()

    @property
    def hovered_index(self) -> int | None:
        """The phrase lit up because its region is hovered."""
        return self.hovered[1] if self.hovered is not None else None

    @property
    def selected_index(self) -> int | None:
        return self.selected[1] if self.selected is not None else None

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
            body = self.text_html(LINK_SCHEME, report.body, report.overlays)
            self.browser.setHtml(f'<div style="font-size:12pt; line-height:140%;">{body}</div>')
            self.browser.verticalScrollBar().setValue(scroll)
        has_edits = report is not None and report.edited_text is not None
        self.edited_title.setVisible(has_edits and not editing)
        self.edited_view.setVisible(has_edits and not editing)
        self.edited_view.setText(report.edited_text or "" if report is not None else "")
        self.edit_button.setEnabled(report is not None and not editing)
        self.revert_button.setEnabled(has_edits and not editing)

    def activate_phrase(self, index: int) -> None:
        """What a click on phrase ``index`` does: select it in the session (views go to it)."""
        if not self.activate(LINK_SCHEME, index):
            logger.warning("no phrase %s in the report", index)

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
    """The plain warning when the weights that wrote the report are untrained or a demo's."""
    # TODO(lead): confirm the name. This used to search ``Provenance.note`` for "untrained"
    # and "demonstration"; the inference engineer's change moved that state to the enum
    # ``Provenance.weights`` (``ModelWeights``) with ``weights_warning``, and the note no
    # longer carries it, so the panel reads the field.
    return report.provenance.weights_warning if report.provenance.kind is SourceKind.MODEL else ""


def _status_text(status: ReportStatus) -> str:
    return {
        ReportStatus.STREAMING: "Writing…",
        ReportStatus.STOPPED: "Stopped before the end",
        ReportStatus.FAILED: "Generation failed",
        ReportStatus.COMPLETE: "",
    }[status]
