"""``ModelController``: the model's life in the app (load on first use, report, chat, stop).

It owns the pipeline and the :class:`InferenceWorker`; everything it announces arrives on
the GUI thread. Widgets (report panel, chat panel, views) are wired to it by
``model_features``; it touches none of them itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal

from vividmed_viewer.core.conversation import Conversation
from vividmed_viewer.core.errors import InferenceError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.inference.failures import is_out_of_memory
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.inference.jobs import AnsweredTurn, AnswerJob, LoadModelJob, ReportJob
from vividmed_viewer.inference.model_results import StreamedPhrase, to_provenance
from vividmed_viewer.inference.streaming import AnswerStream, ReportStream
from vividmed_viewer.inference.worker import InferenceWorker
from vividmed_viewer.ui.preferences_dialog import (
    read_inference_settings,
    read_model_source,
    write_inference_settings,
    write_model_source,
)

if TYPE_CHECKING:
    from model.pipeline import VividMedPipeline

logger = logging.getLogger(__name__)

STOPPED_NOTE = "stopped before the end"


class ModelController(QObject):
    """Load the model when first needed; run report and chat jobs one at a time."""

    model_changed = Signal(object)  # pipeline.describe() dict
    busy_changed = Signal(bool)
    status_message = Signal(str)
    failed = Signal(str, object)  # dialog title, error
    out_of_memory = Signal(object)  # the error; the GUI offers to run on the CPU
    report_started = Signal(object)  # GroundedReport with status STREAMING
    report_regions_changed = Signal(object)  # GroundedReport: a phrase and its overlays arrived
    report_ended = Signal(object)  # GroundedReport: complete, stopped or failed
    answer_updated = Signal(object)  # Conversation whose pending answer grew
    answer_ended = Signal(object)  # Conversation (answer added, or question withdrawn)

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.qsettings = settings
        self.settings = read_inference_settings(settings)
        self.source = read_model_source(settings)
        self.pipeline: VividMedPipeline | None = None
        self.loaded_as: tuple[str, str] | None = None  # (source, device) of the pipeline
        self.worker = InferenceWorker(self)
        self.logits_processors: Sequence[Any] = ()  # tests force token sequences
        self.report_stream: ReportStream | None = None
        self.answer_stream: AnswerStream | None = None
        self.answer_conversation: Conversation | None = None
        self._after_load: Callable[[], None] | None = None
        self._loading_source = ""
        self._retry: Callable[[], object] | None = None
        self.worker.busy_changed.connect(self.busy_changed)
        self.worker.progress.connect(self.status_message)
        self.worker.text_delta.connect(self._on_text)
        self.worker.phrase_ready.connect(self._on_phrase)
        self.worker.finished.connect(self._on_finished)
        self.worker.stopped.connect(self._on_stopped)
        self.worker.failed.connect(self._on_failed)

    # --- state --------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.worker.busy

    @property
    def generating(self) -> bool:
        """A report or an answer is being written (Stop applies)."""
        return isinstance(self.worker.job, ReportJob | AnswerJob)

    def set_settings(self, settings: InferenceSettings) -> None:
        """Store new preferences; a new device takes effect at the next load."""
        self.settings = settings
        write_inference_settings(self.qsettings, settings)

    def describe(self) -> dict[str, Any] | None:
        return self.pipeline.describe() if self.pipeline is not None else None

    # --- loading ------------------------------------------------------------------------
    def load_model(self, source: str | None = None, then: Callable[[], None] | None = None) -> bool:
        """Load ``source`` (a config name or checkpoint folder; default: the last one chosen)."""
        if self.busy:
            self.status_message.emit("The model is busy: stop it first")
            return False
        self._after_load = then
        self._loading_source = source or self.source
        if then is None:  # a load the user asked for: after GPU OOM, retry the load itself
            chosen = self._loading_source
            self._retry = lambda: self.load_model(chosen)
        self.worker.submit(LoadModelJob(self._loading_source, self.settings.device))
        return True

    def use_pipeline(self, pipeline: VividMedPipeline, source: str) -> None:
        """Adopt a pipeline loaded elsewhere, as if ``load_model(source)`` had loaded it."""
        if self.busy:
            raise InferenceError("the model is busy: stop it before switching models")
        self._loading_source, self._after_load = source, None
        self._loaded(pipeline)

    def _with_model(self, action: Callable[[], None]) -> bool:
        if self.pipeline is not None and self.loaded_as == (self.source, self.settings.device):
            action()
            return True
        return self.load_model(self.source, then=action)

    # --- report -------------------------------------------------------------------------
    def generate_report(self, volume: ImageVolume, image_reference: str = "") -> bool:
        """Write a grounded report of ``volume``, streaming (loads the model first if needed)."""
        if self.busy:
            self.status_message.emit("The model is busy: stop it first")
            return False
        self._retry = lambda: self.generate_report(volume, image_reference)
        return self._with_model(lambda: self._start_report(volume, image_reference))

    def _start_report(self, volume: ImageVolume, image_reference: str) -> None:
        assert self.pipeline is not None
        pipeline, settings = self.pipeline, self.settings
        generation = pipeline.settings(
            settings.max_new_tokens, settings.box_threshold, settings.heads, self.logits_processors
        )
        provenance = to_provenance(pipeline.provenance(generation))
        self.report_stream = ReportStream(provenance, image_reference)
        self.report_started.emit(self.report_stream.report)
        self.worker.submit(
            ReportJob(pipeline, volume, settings, logits_processors=self.logits_processors)
        )

    # --- chat ---------------------------------------------------------------------------
    def ask(self, volume: ImageVolume, conversation: Conversation, question: str) -> bool:
        """Add ``question`` to ``conversation`` and stream the answer into it."""
        question = question.strip()
        if not question:
            return False
        if self.busy:
            self.status_message.emit("The model is busy: stop it first")
            return False
        self._retry = lambda: self.ask(volume, conversation, question)
        conversation.ask(question)
        self.answer_conversation = conversation  # a failed load withdraws the question
        return self._with_model(lambda: self._start_answer(volume, conversation))

    def _start_answer(self, volume: ImageVolume, conversation: Conversation) -> None:
        assert self.pipeline is not None
        self.answer_conversation, self.answer_stream = conversation, AnswerStream()
        self.answer_updated.emit(conversation)
        self.worker.submit(
            AnswerJob(self.pipeline, volume, conversation, self.settings, self.logits_processors)
        )

    def _end_answer(self, answered: AnsweredTurn | None, stopped: bool = False) -> None:
        conversation = self.answer_conversation
        self.answer_conversation = self.answer_stream = None
        if conversation is None:
            return
        if answered is None:  # failed: withdraw the question so it can be asked again
            conversation.turns.pop()
            conversation.changed.emit()
        else:
            # The turn's phrases and overlays are the objects that streamed (already shown).
            turn, overlays = answered.turn, answered.overlays
            if stopped and turn.provenance is not None:
                notes = [turn.provenance.note, STOPPED_NOTE]
                turn.provenance.note = " · ".join(n for n in notes if n)
            conversation.overlays.update(overlays)
            conversation.add_turn(turn)
        self.answer_ended.emit(conversation)

    # --- stopping -----------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the report or answer being written (its partial text is kept)."""
        if self.generating:
            self.worker.cancel()

    def retry(self) -> None:
        """Run the last report/answer request again (after switching to the CPU)."""
        if self._retry is not None and not self.busy:
            self._retry()

    # --- worker events ------------------------------------------------------------------
    def _on_text(self, delta: str) -> None:
        if self.report_stream is not None:
            self.report_stream.add_text(delta)
        elif self.answer_stream is not None and self.answer_conversation is not None:
            self.answer_stream.add_text(delta)
            self.answer_updated.emit(self.answer_conversation)

    def _on_phrase(self, phrase: StreamedPhrase) -> None:
        if self.report_stream is not None:
            self.report_stream.add_phrase(phrase)
            self.report_regions_changed.emit(self.report_stream.report)
        elif self.answer_stream is not None and self.answer_conversation is not None:
            self.answer_stream.add_phrase(phrase)
            self.answer_updated.emit(self.answer_conversation)

    def _on_finished(self, result: Any) -> None:
        if isinstance(result, GroundedReport):
            self._end_report(result)
        elif isinstance(result, AnsweredTurn):
            self._end_answer(result)
        else:
            self._loaded(result)

    def _on_stopped(self, result: Any) -> None:
        if isinstance(result, GroundedReport):
            self._end_report(result)
            self.status_message.emit("Stopped: the partial report is kept")
        elif isinstance(result, AnsweredTurn):
            self._end_answer(result, stopped=True)
            self.status_message.emit("Stopped: the partial answer is kept")
        else:
            self._loaded(result)

    def _loaded(self, pipeline: VividMedPipeline) -> None:
        job_source = self._loading_source
        self.pipeline, self.loaded_as = pipeline, (job_source, self.settings.device)
        self.source = job_source
        write_model_source(self.qsettings, job_source)
        info = pipeline.describe()
        self.model_changed.emit(info)
        state = "trained" if info["trained"] else "UNTRAINED weights: output is not meaningful"
        self.status_message.emit(f"Model {info['name']} loaded on {info['device']} ({state})")
        then, self._after_load = self._after_load, None
        if then is not None:
            then()

    def _end_report(self, final: GroundedReport) -> None:
        stream, self.report_stream = self.report_stream, None
        if stream is not None:
            report = stream.finish(final)
            self.report_ended.emit(report)

    def _on_failed(self, error: BaseException) -> None:
        loading = self.report_stream is None and self.answer_stream is None
        if self.report_stream is not None:
            stream, self.report_stream = self.report_stream, None
            self.report_ended.emit(stream.fail())
        if self.answer_stream is not None or self.answer_conversation is not None:
            self._end_answer(None)
        self._after_load = None
        if is_out_of_memory(error) and self.settings.device != "cpu":
            self.pipeline = self.loaded_as = None  # frees the GPU copy before a CPU retry
            self.out_of_memory.emit(error)
            return
        title = "Cannot load the model" if loading else "The model failed"
        if not loading and not isinstance(error, InferenceError):
            error = InferenceError(f"{type(error).__name__}: {error}")
        self.failed.emit(title, error)
