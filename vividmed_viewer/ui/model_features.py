"""Wire the model into the main window: Model menu, Generate/Stop, chat panel, dialogs.

:class:`ModelFeatures` owns the :class:`ModelController` (which owns the worker thread),
the chat panel and the per-image chat history; it turns the controller's signals into
panel updates, overlays in the views, progress in the status bar and error dialogs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from vividmed_viewer.core import Conversation, GroundedReport, ImageVolume, VividMedError
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.inference.chat_history import ChatHistory
from vividmed_viewer.inference.inference_settings import DEFAULT_MODEL
from vividmed_viewer.ui.chat_panel import ChatPanel
from vividmed_viewer.ui.model_controller import ModelController
from vividmed_viewer.ui.model_menu import build_model_menu, register_model_actions
from vividmed_viewer.ui.preferences_dialog import PreferencesDialog

if TYPE_CHECKING:
    from vividmed_viewer.ui.main_window import MainWindow

logger = logging.getLogger(__name__)


def describe_model(info: dict[str, Any]) -> str:
    """One line naming the model, where it runs and whether its weights are trained."""
    state = "trained" if info.get("trained") else "UNTRAINED weights"
    return f"Model: VividMed ({info['name']}) on {info['device']} · {state}"


class ModelFeatures(QObject):
    """The model's part of the window; ``window.model_features`` after construction."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.controller = ModelController(window.settings, self)
        self.chat_history = ChatHistory()
        self.chat_panel = ChatPanel(window)
        self.chat_key = ""
        self.report_volume: ImageVolume | None = None  # the image the streaming report is of
        self.oom_dialog: QMessageBox | None = None
        # Regions that arrive together are drawn in one pass of the event loop.
        self._overlay_timer = QTimer(self)
        self._overlay_timer.setSingleShot(True)
        self._overlay_timer.setInterval(0)
        self._overlay_timer.timeout.connect(self.sync_overlays)
        window.add_panel(self.chat_panel, "Chat", "chat", tabify_with="report")
        window.panel_docks["report"].raise_()
        registry = window.action_registry
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
        self.menu, self.model_line = build_model_menu(window)
        self._connect()
        self._on_busy(False)

    def _connect(self) -> None:
        controller, chat = self.controller, self.chat_panel
        controller.model_changed.connect(self._on_model_changed)
        controller.busy_changed.connect(self._on_busy)
        controller.status_message.connect(lambda text: self.window.status.showMessage(text, 10_000))
        controller.failed.connect(self.window.show_error)
        controller.out_of_memory.connect(self._offer_cpu)
        controller.report_started.connect(self._on_report_started)
        controller.report_regions_changed.connect(self._on_report_regions)
        controller.report_ended.connect(self._on_report_ended)
        controller.answer_updated.connect(self._on_answer_updated)
        controller.answer_ended.connect(self._on_answer_ended)
        chat.question_submitted.connect(self.ask)
        chat.stop_requested.connect(controller.stop)
        chat.clear_requested.connect(self.clear_chat)
        chat.phrase_activated.connect(self._highlight)

    # --- actions ------------------------------------------------------------------------
    def generate_report(self) -> bool:
        """Write a report of the open image (the model loads first when needed)."""
        volume = self.window.volume
        if volume is None:
            self.window.status.showMessage("Open an image first, then generate its report", 10_000)
            return False
        self.report_volume = volume
        return self.controller.generate_report(volume, self.window.volume_source)

    def ask(self, question: str) -> bool:
        """Ask ``question`` about the open image in its conversation."""
        volume, conversation = self.window.volume, self.conversation
        if volume is None or conversation is None:
            return False
        return self.controller.ask(volume, conversation, question)

    def focus_chat(self) -> None:
        self.window.panel_docks["chat"].show()
        self.window.panel_docks["chat"].raise_()
        self.chat_panel.input.setFocus()

    def clear_chat(self) -> None:
        if self.conversation is not None and not self.controller.busy:
            self.chat_history.clear(self.chat_key)
            self.window.refresh_overlays()

    def choose_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Open model checkpoint folder")
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
        box.setParent(self.window, box.windowFlags())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def edit_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.controller.settings, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.controller.set_settings(dialog.settings()))
        dialog.open()
        return dialog

    # --- image changes ------------------------------------------------------------------
    @property
    def conversation(self) -> Conversation | None:
        if self.window.volume is None:
            return None
        return self.chat_history.conversation_for(self.chat_key)

    def show_image(self, volume: ImageVolume, source: str, answers: Conversation | None) -> None:
        """A new image is shown: its own chat (stored ``answers`` from a bundle seed it)."""
        if self.controller.generating and self.report_volume is not volume:
            self.controller.stop()
        self.chat_key = source or f"image-{id(volume)}"
        conversation = self.chat_history.conversation_for(self.chat_key)
        if answers is not None and not conversation.turns:
            conversation.turns.extend(answers.turns)
            conversation.overlays.update(answers.overlays)
        self.chat_panel.set_conversation(conversation)

    def chat_overlays(self) -> list[Overlay]:
        """Overlays of the open image's answers (and of the answer being written)."""
        overlays: list[Overlay] = []
        if self.conversation is not None:
            overlays += self.conversation.overlays.values()
        stream = self.controller.answer_stream
        if stream is not None and self.controller.answer_conversation is self.conversation:
            overlays += stream.overlays.values()
        return overlays

    def shutdown(self) -> None:
        """Stop a running job and wait for the worker (window closing)."""
        self.controller.stop()
        self.controller.worker.wait(10_000)

    # --- controller events --------------------------------------------------------------
    def _on_model_changed(self, info: dict[str, Any]) -> None:
        self.model_line.setText(describe_model(info))
        self.chat_panel.set_model_info(info)

    def _on_busy(self, busy: bool) -> None:
        registry = self.window.action_registry
        registry.qaction("generate_report").setEnabled(not busy)
        registry.qaction("stop_generation").setEnabled(busy)
        for action_id in ("load_default_model", "open_model", "model_preferences"):
            registry.qaction(action_id).setEnabled(not busy)
        self.chat_panel.set_busy(busy)
        self.window.viewer.set_model_running(busy)
        status = self.window.status
        if busy:
            status.start_progress("Model working…")
            status.progress.setRange(0, 0)  # busy indicator: token counts are unknown ahead
            status.cancel_button.hide()
        else:
            status.progress.setRange(0, 1000)
            status.finish_progress(status.currentMessage())

    def _shows_report_image(self) -> bool:
        return self.report_volume is not None and self.report_volume is self.window.volume

    def _on_report_started(self, report: GroundedReport) -> None:
        if self._shows_report_image():
            self.window.set_report(report)

    def sync_overlays(self) -> None:
        """Redraw the views' overlays when the report's or the chat's regions changed."""
        wanted = set(self.window.report.overlays) if self.window.report is not None else set()
        wanted |= {o.overlay_id for o in self.chat_overlays()}
        if wanted != {o.overlay_id for o in self.window.shown_overlays}:
            self.window.refresh_overlays()

    def _on_report_regions(self, report: GroundedReport) -> None:
        if self._shows_report_image() and self.window.report is report:
            self._overlay_timer.start()

    def _on_report_ended(self, report: GroundedReport) -> None:
        if self._shows_report_image() and self.window.report is report:
            self._overlay_timer.stop()
            self.sync_overlays()  # the final body may have replaced the streamed one
            self.window.report_panel.refresh()

    def _on_answer_updated(self, conversation: Conversation) -> None:
        if conversation is self.conversation:
            self.chat_panel.set_pending(self.controller.answer_stream)
            self._overlay_timer.start()  # draws the answer's regions if new ones arrived

    def _on_answer_ended(self, conversation: Conversation) -> None:
        if conversation is self.conversation:
            self.chat_panel.set_pending(None)
            self._overlay_timer.stop()
            self.sync_overlays()

    def _highlight(self, overlays: list[Overlay]) -> None:
        self._overlay_timer.stop()
        self.sync_overlays()  # an answer's newest regions may not be drawn yet
        try:
            for overlay in reversed(overlays):  # the first one last: the views end on its centre
                self.window.viewer.highlight_overlay(overlay.overlay_id)
        except VividMedError as error:
            logger.warning("cannot highlight a chat region: %s", error)
            self.window.status.showMessage(f"Cannot show the region: {error}", 10_000)

    def _offer_cpu(self, error: BaseException) -> None:
        """Out of GPU memory: offer to run on the CPU instead (the window stays usable)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Out of GPU memory",
            f"The GPU ran out of memory ({error}).\n\nRun the model on the CPU instead? "
            "It is slower but has more memory.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.window,
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
