"""The chat panel: questions about the active image, streamed answers with linked phrases.

Enter sends, Shift+Enter starts a new line. It shows the active image's conversation
(``session.active.conversation``, so the history is per image) and the answer being
written (``set_pending``). Answer phrases behave as in the report (see
:class:`PhrasePanel`): a click selects the phrase in the session, hovering a region lights
up the newest answer phrase that names it.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
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

from vividmed_viewer.core import Conversation, Role, Taxonomy
from vividmed_viewer.core.open_image import OpenImage
from vividmed_viewer.core.session import Session
from vividmed_viewer.inference.streaming import AnswerStream
from vividmed_viewer.ui.phrase_panel import PhrasePanel, ShownText

logger = logging.getLogger(__name__)

SUGGESTED_QUESTIONS = (
    "Is there a pleural effusion?",
    "Where is the nodule?",
    "Is the heart enlarged?",
    "Describe the lungs.",
)
PENDING = "pending"


def answer_name(turn: str) -> str:
    """The name (and link prefix) of the answer in turn ``turn`` (a number or ``pending``)."""
    return f"chat:{turn}"


class ChatInput(QPlainTextEdit):
    """A question box: Enter submits, Shift+Enter inserts a line break."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class ChatPanel(PhrasePanel):
    """Multi-turn chat about the active image, with a stop button and suggested questions."""

    question_submitted = Signal(str)
    stop_requested = Signal()
    clear_requested = Signal()

    def __init__(
        self, session: Session, parent: QWidget | None = None, taxonomy: Taxonomy | None = None
    ) -> None:
        super().__init__(session, parent, taxonomy)
        self.setObjectName("chat_panel")
        self.conversation: Conversation | None = None
        self.pending: AnswerStream | None = None
        self.busy = False
        self.model_label = QLabel("Model: not loaded yet (loads on the first question)")
        self.model_label.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
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
        self.show_image(session.active_id)
        self.shown_changed()

    # --- the phrase panel's part --------------------------------------------------------
    def followed_of(self, image: OpenImage | None) -> Conversation | None:
        return image.conversation if image is not None else None

    def texts(self) -> list[ShownText]:
        """Each answer shown: its name (``chat:<turn>``), its text, the overlays it links to."""
        conversation = self.conversation
        if conversation is None:
            return []
        found: list[ShownText] = [
            (answer_name(str(number)), turn.content, conversation.overlays)
            for number, turn in enumerate(conversation.turns)
            if turn.role is Role.ASSISTANT
        ]
        if self.pending is not None:
            found.append((answer_name(PENDING), self.pending.body, self.pending.overlays))
        return found

    def shown_changed(self) -> None:
        self.conversation, self.pending = self.followed, None
        self._update_enabled()
        self.refresh()

    # --- the model's side ---------------------------------------------------------------
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
        link = url.toString()
        scheme, _, rest = link.partition(":")
        name, _, index = link.rpartition(":")
        if scheme == "ask" and rest.isdigit() and int(rest) < len(SUGGESTED_QUESTIONS):
            self.ask(SUGGESTED_QUESTIONS[int(rest)])
        elif scheme == "chat" and index.isdigit():
            self.activate_phrase(name.partition(":")[2], int(index))
        else:
            logger.warning("ignoring link %s in the chat", link)

    def activate_phrase(self, turn: str, index: int) -> None:
        """Select phrase ``index`` of answer ``turn`` (a number or ``pending``) in the session."""
        if not self.activate(answer_name(turn), index):
            logger.warning("no phrase %s in chat answer %s", index, turn)

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
            name = answer_name(str(number))
            answer = self.text_html(name, turn.content, conversation.overlays)
            parts.append(f"<p><b>VividMed:</b> {answer or '<i>(no text)</i>'}</p>")
            if turn.provenance is not None:
                parts.append(
                    f'<p style="color:#888888; font-size:small;">'
                    f"{html.escape(turn.provenance.describe())}</p>"
                )
        if self.pending is not None:
            name = answer_name(PENDING)
            answer = self.text_html(name, self.pending.body, self.pending.overlays)
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
