"""Run the model on an ``ImageVolume`` and get core objects back: a report, or a chat turn.

The app's jobs, the batch runner and the terminal report all call these, so every model
output goes through the same :class:`~vividmed_viewer.inference.model_results.ResultAdapter`
(phrases converted once, as they stream).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vividmed_viewer.core.conversation import Conversation, Role, Turn
from vividmed_viewer.core.errors import ModelError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.inference.model_results import ResultAdapter, StreamedPhrase

if TYPE_CHECKING:
    from model.pipeline import VividMedPipeline
    from model.text import ChatTurn

PhraseOutlet = Callable[[StreamedPhrase], None]


@dataclass
class AnsweredTurn:
    """The assistant's turn and the overlays its phrases link to."""

    turn: Turn
    overlays: dict[str, Overlay] = field(default_factory=dict)


def image_reference(volume: ImageVolume) -> str:
    """What a report names as its image: the first source path (empty for made-up images)."""
    return ", ".join(volume.metadata.source_paths[:1])


def chat_turns(conversation: Conversation, question: str | None) -> list[ChatTurn]:
    """The conversation's turns (+ the new question) as the model's question/answer pairs.

    ``question`` ``None`` answers the conversation's last, unanswered user turn.
    """
    from model.text import ChatTurn

    pairs: list[ChatTurn] = []
    pending: str | None = None
    for turn in conversation.turns:
        if turn.role is Role.USER:
            pending = turn.content.text
        elif pending is not None:
            pairs.append(ChatTurn(pending, turn.content.text))
            pending = None
    if question is None:
        if pending is None:
            raise ModelError("no question: pass one or end the conversation with a user turn")
        question = pending
    elif pending is not None:
        raise ModelError("the conversation ends with an unanswered question; pass question=None")
    pairs.append(ChatTurn(question))
    return pairs


def run_report(
    pipeline: VividMedPipeline,
    volume: ImageVolume,
    *,
    question: str | None = None,
    max_new_tokens: int = 512,
    box_threshold: float | None = None,
    heads: str = "taxonomy",
    on_text: Callable[[str], None] | None = None,
    on_phrase: PhraseOutlet | None = None,
    cancel: Any = None,
    logits_processors: Sequence[Any] = (),
) -> GroundedReport:
    """A grounded report of ``volume``, its regions on the volume's grid; ``on_phrase`` gets
    each phrase with its overlays as it closes (the report keeps those same objects)."""
    adapter = ResultAdapter(volume.geometry, pipeline.taxonomy, on_phrase)
    result = pipeline.generate_report(
        volume,
        question=question,
        max_new_tokens=max_new_tokens,
        box_threshold=box_threshold,
        heads=heads,
        on_text=on_text,
        on_phrase=adapter.add_phrase,
        cancel=cancel,
        logits_processors=logits_processors,
    )
    return adapter.report(result, image_reference(volume))


def run_answer(
    pipeline: VividMedPipeline,
    volume: ImageVolume,
    conversation: Conversation,
    question: str | None = None,
    *,
    grounded: bool = False,
    max_new_tokens: int = 256,
    box_threshold: float | None = None,
    on_text: Callable[[str], None] | None = None,
    on_phrase: PhraseOutlet | None = None,
    cancel: Any = None,
    logits_processors: Sequence[Any] = (),
) -> AnsweredTurn:
    """The assistant's answer to ``question`` (or to the conversation's last user turn).

    Earlier turns are the history (``<ngrd>`` unless ``grounded``). The conversation is not
    changed: add the returned turn with ``conversation.add_turn`` and its overlays to
    ``conversation.overlays``.
    """
    adapter = ResultAdapter(volume.geometry, pipeline.taxonomy, on_phrase)
    result = pipeline.answer(
        volume,
        chat_turns(conversation, question),
        grounded=grounded,
        max_new_tokens=max_new_tokens,
        box_threshold=box_threshold,
        on_text=on_text,
        on_phrase=adapter.add_phrase,
        cancel=cancel,
        logits_processors=logits_processors,
    )
    turn, overlays = adapter.turn(result)
    return AnsweredTurn(turn, overlays)
