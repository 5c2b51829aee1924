"""The chat panel: questions about the open image, streamed answers with linked phrases.

Enter sends, Shift+Enter starts a new line. Grounded phrases in answers are links in their
target's colour; a click asks the window to highlight their regions (``phrase_activated``).
The panel observes a ``Conversation`` (history per image is kept by the caller).
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vividmed_viewer.core import Conversation, GroundedText, Role, Taxonomy, default_taxonomy
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.inference.streaming import AnswerStream
from vividmed_viewer.ui.report_html import describe_overlay_size, hex_colour

logger = logging.getLogger(__name__)

SUGGESTED_QUESTIONS = (
    "Is there a pleural effusion?",
    "Where is the nodule?",
    "Is the heart enlarged?",
    "Describe the lungs.",
)
PENDING = "pending"


class ChatInput(QPlainTextEdit):
    """A question box: Enter submits, Shift+Enter inserts a line break."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


def grounded_html(
    body: GroundedText, overlays: dict[str, Overlay], taxonomy: Taxonomy, link_prefix: str
) -> str:
    """Escaped text with each phrase a link ``<prefix><index>`` in its region's colour."""
    parts, cursor = [], 0
    for index, phrase in sorted(enumerate(body.phrases), key=lambda item: item[1].start):
        if phrase.start < cursor:
            continue
        linked = [overlays[o] for o in phrase.overlay_ids if o in overlays]
        colour = hex_colour(linked[0].colour if linked else taxonomy.colour_of(phrase.target))
        parts.append(html.escape(body.text[cursor : phrase.start]))
        parts.append(
            f'<a href="{link_prefix}{index}" style="color:{colour}; font-weight:600; '
            f'text-decoration:none;">{html.escape(body.phrase_text(phrase))}</a>'
        )
        cursor = phrase.end
    parts.append(html.escape(body.text[cursor:]))
    return "".join(parts).replace("\n", "<br>")


class ChatPanel(QWidget):
    """Multi-turn chat about the current image, with a stop button and suggested questions."""

    question_submitted = Signal(str)
    stop_requested = Signal()
    clear_requested = Signal()
    phrase_activated = Signal(object)  # list[Overlay] of the clicked phrase

    def __init__(self, parent: QWidget | None = None, taxonomy: Taxonomy | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chat_panel")
        self.taxonomy = taxonomy or default_taxonomy()
        self.conversation: Conversation | None = None
        self.pending: AnswerStream | None = None
        self.busy = False
        self.model_label = QLabel("Model: not loaded yet (loads on the first question)")
        self.model_label.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        self.selection_label = QLabel()
        self.selection_label.setWordWrap(True)
        self.input = ChatInput()
        self.input.setPlaceholderText("Ask about this image (Enter sends, Shift+Enter: new line)")
        self.input.setMaximumHeight(80)
        self.input.submitted.connect(self.submit)
        self.send_button = QPushButton("Send")
        self.stop_button = QPushButton("Stop")
        self.clear_button = QPushButton("Clear history")
        self.send_button.clicked.connect(self.submit)
        self.stop_button.clicked.connect(self.stop_requested)
        self.clear_button.clicked.connect(self.clear_requested)
        buttons = QHBoxLayout()
        for button in (self.send_button, self.stop_button, self.clear_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.model_label)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.selection_label)
        layout.addWidget(self.input)
        layout.addLayout(buttons)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._update_enabled()
        self.refresh()

    # --- wiring -------------------------------------------------------------------------
    def set_conversation(self, conversation: Conversation | None) -> None:
        """Show ``conversation`` (None: no image open) and follow its changes."""
        if self.conversation is not None:
            self.conversation.changed.disconnect(self.schedule_refresh)
        self.conversation = conversation
        self.pending = None
        self.selection_label.clear()
        if conversation is not None:
            conversation.changed.connect(self.schedule_refresh)
        self._update_enabled()
        self.refresh()

    def set_pending(self, stream: AnswerStream | None) -> None:
        """The answer being written (None when there is none)."""
        self.pending = stream
        self.schedule_refresh()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_enabled()

    def set_model_info(self, info: dict[str, Any] | None) -> None:
        if info is None:
            self.model_label.setText("Model: not loaded")
            return
        text = f"Model: VividMed ({info['name']}) on {info['device']}"
        if not info.get("trained"):
            text += " · <b>untrained weights: answers are not meaningful</b>"
        self.model_label.setText(text)

    def schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def _update_enabled(self) -> None:
        has_image = self.conversation is not None
        self.input.setEnabled(has_image)
        self.send_button.setEnabled(has_image and not self.busy)
        self.stop_button.setEnabled(self.busy)
        self.clear_button.setEnabled(has_image and not self.busy)

    # --- actions ------------------------------------------------------------------------
    def submit(self) -> None:
        """Send the typed question (ignored while the model is busy or the box is empty)."""
        text = self.input.toPlainText().strip()
        if not text or self.busy or self.conversation is None:
            return
        self.input.clear()
        self.question_submitted.emit(text)

    def ask(self, question: str) -> None:
        """Send ``question`` as if typed (suggested questions use this)."""
        self.input.setPlainText(question)
        self.submit()

    def _on_link(self, url: QUrl) -> None:
        scheme, _, rest = url.toString().partition(":")
        if scheme == "ask" and rest.isdigit() and int(rest) < len(SUGGESTED_QUESTIONS):
            self.ask(SUGGESTED_QUESTIONS[int(rest)])
        elif scheme == "chat":
            turn, _, index = rest.partition(":")
            if index.isdigit():
                self.activate_phrase(turn, int(index))
        else:
            logger.warning("ignoring link %s in the chat", url.toString())

    def activate_phrase(self, turn: str, index: int) -> None:
        """Show the regions of phrase ``index`` of answer ``turn`` (a number or ``pending``)."""
        body, overlays = self._answer(turn)
        if body is None or not 0 <= index < len(body.phrases):
            logger.warning("no phrase %s in chat answer %s", index, turn)
            return
        phrase = body.phrases[index]
        linked = [overlays[o] for o in phrase.overlay_ids if o in overlays]
        sizes = [describe_overlay_size(o) for o in linked]
        self.selection_label.setText("<br>".join(sizes) or f"'{phrase.target}' has no region")
        self.phrase_activated.emit(linked)

    def _answer(self, turn: str) -> tuple[GroundedText | None, dict[str, Overlay]]:
        if turn == PENDING:
            return (self.pending.body, self.pending.overlays) if self.pending else (None, {})
        if self.conversation is None or not turn.isdigit():
            return None, {}
        turns = self.conversation.turns
        if int(turn) >= len(turns):
            return None, {}
        return turns[int(turn)].content, self.conversation.overlays

    # --- display ------------------------------------------------------------------------
    def refresh(self) -> None:
        conversation = self.conversation
        if conversation is None:
            self.browser.setHtml("<p><i>Open an image to ask questions about it.</i></p>")
            return
        parts = []
        for number, turn in enumerate(conversation.turns):
            if turn.role is Role.USER:
                parts.append(f"<p><b>You:</b> {html.escape(turn.content.text)}</p>")
                continue
            answer = grounded_html(
                turn.content, conversation.overlays, self.taxonomy, f"chat:{number}:"
            )
            parts.append(f"<p><b>VividMed:</b> {answer or '<i>(no text)</i>'}</p>")
            if turn.provenance is not None:
                parts.append(
                    f'<p style="color:#888888; font-size:small;">'
                    f"{html.escape(turn.provenance.describe())}</p>"
                )
        if self.pending is not None:
            answer = grounded_html(
                self.pending.body, self.pending.overlays, self.taxonomy, f"chat:{PENDING}:"
            )
            parts.append(f"<p><b>VividMed:</b> {answer} <i>writing…</i></p>")
        if not conversation.turns and self.pending is None:
            items = "".join(
                f'<li><a href="ask:{n}">{html.escape(q)}</a></li>'
                for n, q in enumerate(SUGGESTED_QUESTIONS)
            )
            parts.append(
                "<p>Ask a question about the open image, for example:</p>"
                f"<ul>{items}</ul><p><i>Enter sends; Shift+Enter starts a new line.</i></p>"
            )
        self.browser.setHtml("".join(parts))
        self.browser.verticalScrollBar().setValue(self.browser.verticalScrollBar().maximum())
