"""The model's part of the app: Model menu, Generate/Stop, the chat panel, model dialogs.

:class:`ModelFeatures` owns the :class:`ModelController` (which owns the worker thread) and
the chat panel. It reads what to work on from the session (the active image) and puts
what the model writes into it: a report with ``session.set_report`` (the session shows
its regions as they stream), answer regions with ``session.add_chat_overlays`` (one chat
region per target), and each image's conversation is ``session.image(id).conversation``.
Status, progress, errors, panels and menus go through the :class:`Shell`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from vividmed_viewer.core import Conversation, GroundedReport, Role, Turn
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import ActiveImageChanged, Change, ImagesChanged
from vividmed_viewer.inference.inference_settings import DEFAULT_MODEL
from vividmed_viewer.ui.chat_panel import ChatPanel
from vividmed_viewer.ui.model_controller import ModelController
from vividmed_viewer.ui.model_menu import (
    build_model_menu,
    register_model_actions,
    toolbar_actions,
)
from vividmed_viewer.ui.preferences_dialog import PreferencesDialog
from vividmed_viewer.ui.session_subscriptions import subscribe
from vividmed_viewer.ui.shell import Shell

logger = logging.getLogger(__name__)

BUSY_MESSAGE = "Model working…"


def describe_model(info: dict[str, Any]) -> str:
    """One line naming the model, where it runs and whether its weights are trained."""
    state = "trained" if info.get("trained") else "UNTRAINED weights"
    return f"Model: VividMed ({info['name']}) on {info['device']} · {state}"


def answer_overlays(conversation: Conversation, turn: Turn) -> list[Overlay]:
    """The regions an answer's phrases link to, in the order the phrases name them."""
    ids = dict.fromkeys(i for phrase in turn.content.phrases for i in phrase.overlay_ids)
    return [conversation.overlays[i] for i in ids if i in conversation.overlays]


class ModelFeatures(QObject):
    """The model in the app; the shell keeps it as ``model_features``.

    The shell must already have a ``report`` panel (the chat panel is tabbed with it).
    """

    def __init__(self, session: Session, shell: Shell) -> None:
        super().__init__(shell.widget())
        self.session = session
        self.shell = shell
        self.controller = ModelController(shell.settings, self)
        self.chat_panel = ChatPanel(session, shell.widget())
        self.job_image_id: str | None = None  # the image the report or answer is about
        self._answer_overlay_ids: set[str] = set()  # the streaming answer's regions shown
        self.oom_dialog: QMessageBox | None = None
        shell.add_panel(self.chat_panel, "Chat", "chat", tabify_with="report")
        shell.show_panel("report")
        registry = shell.action_registry
        register_model_actions(registry)
        bindings = {
            "generate_report": self.generate_report,
            "stop_generation": self.controller.stop,
            "ask_question": self.focus_chat,
            "load_default_model": lambda: self.controller.load_model(DEFAULT_MODEL),
            "open_model": self.choose_model,
            "model_info": self.show_model_info,
            "model_preferences": self.edit_preferences,
        }
        for action_id, callback in bindings.items():
            registry.bind(action_id, callback)
        self.menu = shell.add_menu("&Model")
        self.model_line = build_model_menu(self.menu, registry)
        self.toolbar_actions = toolbar_actions(registry)  # the shell puts them on its toolbar
        self._connect()
        self._enable_actions(busy=False)

    def _connect(self) -> None:
        controller, chat = self.controller, self.chat_panel
        controller.model_changed.connect(self._on_model_changed)
        controller.busy_changed.connect(self._on_busy)
        controller.status_message.connect(self.shell.show_status)
        controller.failed.connect(self.shell.show_error)
        controller.out_of_memory.connect(self._offer_cpu)
        controller.report_started.connect(self._on_report_started)
        controller.answer_updated.connect(self._on_answer_updated)
        controller.answer_ended.connect(self._on_answer_ended)
        chat.question_submitted.connect(self.ask)
        chat.stop_requested.connect(controller.stop)
        chat.clear_requested.connect(self.clear_chat)
        events = self.session.events
        subscribe(
            self,
            [(events.active_image, self._on_active_image), (events.images, self._on_images)],
        )

    # --- actions ------------------------------------------------------------------------
    def generate_report(self) -> bool:
        """Write a report of the active image (the model loads first when needed)."""
        image = self.session.active
        if image is None:
            self.shell.show_status("Open an image first, then generate its report")
            return False
        if not self.controller.busy:  # set first: a loaded model starts the report at once
            self.job_image_id = image.image_id
        return self.controller.generate_report(image.volume, image.source)

    def ask(self, question: str) -> bool:
        """Ask ``question`` about the active image in its conversation."""
        image = self.session.active
        if image is None:
            return False
        conversation = image.conversation
        conversation.image_reference = conversation.image_reference or image.source
        if not self.controller.busy:  # set first: a loaded model starts the answer at once
            self.job_image_id, self._answer_overlay_ids = image.image_id, set()
        return self.controller.ask(image.volume, conversation, question)

    def focus_chat(self) -> None:
        self.shell.show_panel("chat")
        self.chat_panel.input.setFocus()

    def clear_chat(self) -> None:
        """Forget the active image's questions and answers, and the regions they showed."""
        image = self.session.active
        if image is not None and not self.controller.busy:
            image.conversation.clear()
            self.session.clear_chat_overlays(image.image_id)

    def seed_answers(self, image_id: str, answers: Conversation) -> None:
        """Start the image's chat with stored ``answers`` (a results bundle's), when it is empty."""
        conversation = self.session.image(image_id).conversation
        if conversation.turns or not answers.turns:
            return
        conversation.overlays.update(answers.overlays)
        conversation.turns.extend(answers.turns)
        conversation.image_reference = conversation.image_reference or answers.image_reference
        conversation.changed.emit()
        for turn in conversation.turns:  # in order: the newest answer's region of a target wins
            if turn.role is Role.ASSISTANT:
                self.session.add_chat_overlays(image_id, answer_overlays(conversation, turn))

    def choose_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.shell.widget(), "Open model checkpoint folder"
        )
        if folder:
            self.open_model(folder)

    def open_model(self, folder: str) -> bool:
        """Load the checkpoint in ``folder`` (errors come as a dialog; the window stays usable)."""
        return self.controller.load_model(folder)

    def show_model_info(self) -> QMessageBox:
        info = self.controller.describe()
        if info is None:
            text = f"No model loaded yet; '{self.controller.source}' loads on first use."
        else:
            text = "\n".join(f"{key}: {value}" for key, value in info.items())
        box = QMessageBox(QMessageBox.Icon.Information, "Model information", text)
        box.setParent(self.shell.widget(), box.windowFlags())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def edit_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.controller.settings, self.shell.widget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.controller.set_settings(dialog.settings()))
        dialog.open()
        return dialog

    @property
    def conversation(self) -> Conversation | None:
        """The active image's conversation (None with no image open)."""
        image = self.session.active
        return image.conversation if image is not None else None

    def shutdown(self) -> None:
        """Stop a running job and wait for the worker (window closing)."""
        self.controller.stop()
        self.controller.worker.wait(10_000)

    # --- session events -----------------------------------------------------------------
    def _on_active_image(self, event: ActiveImageChanged) -> None:
        """Another image is shown: what the model writes about the one left behind stops."""
        if self.controller.generating and self.job_image_id != event.image_id:
            self.controller.stop()

    def _on_images(self, event: ImagesChanged) -> None:
        if event.change is Change.REMOVED and event.image_id == self.job_image_id:
            self.controller.stop()
            self.job_image_id = None

    # --- controller events --------------------------------------------------------------
    def _on_model_changed(self, info: dict[str, Any]) -> None:
        self.model_line.setText(describe_model(info))
        self.chat_panel.set_model_info(info)

    def _enable_actions(self, busy: bool) -> None:
        registry = self.shell.action_registry
        registry.qaction("generate_report").setEnabled(not busy)
        registry.qaction("stop_generation").setEnabled(busy)
        for action_id in ("load_default_model", "open_model", "model_preferences"):
            registry.qaction(action_id).setEnabled(not busy)
        self.chat_panel.set_busy(busy)

    def _on_busy(self, busy: bool) -> None:
        self._enable_actions(busy)
        self.shell.set_busy(BUSY_MESSAGE if busy else None)

    def _on_report_started(self, report: GroundedReport) -> None:
        image_id = self.job_image_id
        if image_id is None or image_id not in self.session.images:
            self.controller.stop()  # its image was closed while the model loaded
            return
        self.session.set_report(image_id, report)  # its regions follow as they stream
        if image_id == self.session.active_id:
            self.shell.show_panel("report")

    def _image_of(self, conversation: Conversation) -> str | None:
        images = self.session.images.values()
        return next((i.image_id for i in images if i.conversation is conversation), None)

    def _show_answer_regions(self, image_id: str, overlays: Iterable[Overlay]) -> None:
        """Show the streaming answer's regions that are not shown yet (each once)."""
        new = [o for o in overlays if o.overlay_id not in self._answer_overlay_ids]
        self._answer_overlay_ids.update(o.overlay_id for o in new)
        if new:
            self.session.add_chat_overlays(image_id, new)

    def _on_answer_updated(self, conversation: Conversation) -> None:
        image_id, stream = self._image_of(conversation), self.controller.answer_stream
        if image_id is not None and stream is not None:
            self._show_answer_regions(image_id, list(stream.overlays.values()))
        if conversation is self.chat_panel.conversation:
            self.chat_panel.set_pending(stream)

    def _on_answer_ended(self, conversation: Conversation) -> None:
        image_id = self._image_of(conversation)
        turns = conversation.turns
        if image_id is not None and turns and turns[-1].role is Role.ASSISTANT:
            # The final answer may differ from what streamed; its regions replace those.
            self._show_answer_regions(image_id, answer_overlays(conversation, turns[-1]))
        self._answer_overlay_ids = set()
        if conversation is self.chat_panel.conversation:
            self.chat_panel.set_pending(None)

    def _offer_cpu(self, error: BaseException) -> None:
        """Out of GPU memory: offer to run on the CPU instead (the window stays usable)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Out of GPU memory",
            f"The GPU ran out of memory ({error}).\n\nRun the model on the CPU instead? "
            "It is slower but has more memory.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.shell.widget(),
        )
        box.setObjectName("out_of_memory_dialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda result: (
                self._use_cpu() if result == QMessageBox.StandardButton.Yes.value else None
            )
        )
        self.oom_dialog = box
        box.open()

    def _use_cpu(self) -> None:
        self.controller.set_settings(self.controller.settings.with_changes(device="cpu"))
        self.controller.retry()
