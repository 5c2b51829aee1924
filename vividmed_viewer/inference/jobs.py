"""What the inference worker runs: load a model, write a report, answer a chat question.

A job's ``run(context)`` executes on the worker thread; it streams through the context
(text deltas, phrases with their overlays, progress messages) and returns its result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from vividmed_viewer.core.conversation import Conversation
from vividmed_viewer.core.errors import ModelError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.inference.model_results import StreamedPhrase
from vividmed_viewer.inference.model_runs import AnsweredTurn, run_answer, run_report

__all__ = [
    "AnswerJob",
    "AnsweredTurn",
    "InferenceJob",
    "JobContext",
    "LoadModelJob",
    "ReportJob",
    "load_pipeline",
]

if TYPE_CHECKING:
    from model.pipeline import VividMedPipeline


@dataclass
class JobContext:
    """Handed to a running job: the cancel flag and the streaming outlets."""

    cancel: threading.Event
    emit_text: Callable[[str], None]
    emit_phrase: Callable[[StreamedPhrase], None]
    progress: Callable[[str], None]


class InferenceJob(Protocol):
    """Something the worker can run."""

    @property
    def title(self) -> str: ...

    def run(self, context: JobContext) -> Any: ...


@dataclass
class LoadModelJob:
    """Load a checkpoint directory or a named config (shipped weights, else untrained)."""

    source: str
    device: str = "auto"

    @property
    def title(self) -> str:
        return f"Loading model {self.source}"

    def run(self, context: JobContext) -> VividMedPipeline:
        context.progress(f"{self.title}…")
        return load_pipeline(self.source, self.device)


def load_pipeline(source: str, device: str = "auto") -> VividMedPipeline:
    """A checkpoint folder or a named config; every failure is a ``ModelError`` naming it."""
    from model.pipeline import VividMedPipeline
    from model.registry import available_configs

    if source not in available_configs() and not Path(source).is_dir():
        raise ModelError(f"{source}: not a checkpoint folder or a known model config")
    try:
        return VividMedPipeline.from_pretrained(source, device=device)
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise ModelError(f"{source}: cannot load the model: {error}") from error


@dataclass
class ReportJob:
    """A grounded report of ``volume``; a cancelled run returns the report marked stopped."""

    pipeline: VividMedPipeline
    volume: ImageVolume
    settings: InferenceSettings
    question: str | None = None
    logits_processors: Sequence[Any] = ()

    @property
    def title(self) -> str:
        return "Writing the report"

    def run(self, context: JobContext) -> GroundedReport:
        context.progress(f"{self.title}…")
        return run_report(
            self.pipeline,
            self.volume,
            question=self.question,
            max_new_tokens=self.settings.max_new_tokens,
            box_threshold=self.settings.box_threshold,
            heads=self.settings.heads,
            on_text=context.emit_text,
            on_phrase=context.emit_phrase,
            cancel=context.cancel,
            logits_processors=self.logits_processors,
        )


@dataclass
class AnswerJob:
    """The answer to the last user turn of ``conversation`` (a snapshot, not changed)."""

    pipeline: VividMedPipeline
    volume: ImageVolume
    conversation: Conversation
    settings: InferenceSettings
    logits_processors: Sequence[Any] = ()

    @property
    def title(self) -> str:
        return "Answering"

    def run(self, context: JobContext) -> AnsweredTurn:
        context.progress(f"{self.title}…")
        snapshot = Conversation(turns=list(self.conversation.turns))
        return run_answer(
            self.pipeline,
            self.volume,
            snapshot,
            None,
            grounded=self.settings.grounded_chat,
            max_new_tokens=self.settings.max_new_tokens,
            box_threshold=self.settings.box_threshold,
            on_text=context.emit_text,
            on_phrase=context.emit_phrase,
            cancel=context.cancel,
            logits_processors=self.logits_processors,
        )
