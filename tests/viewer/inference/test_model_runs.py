"""The model's plain results become core objects once, as they stream (tiny model, real passes)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from vividmed_viewer.core import (
    BoxOverlay,
    Conversation,
    GroundedReport,
    ImageVolume,
    InferenceError,
    MaskOverlay,
    ModelError,
    ReportStatus,
    Role,
)
from vividmed_viewer.core.provenance import ModelWeights, SourceKind
from vividmed_viewer.inference.forcing import script_text, scripted
from vividmed_viewer.inference.model_results import ResultAdapter, StreamedPhrase
from vividmed_viewer.inference.model_runs import chat_turns, run_answer, run_report

REPORT = [
    "The", "<p>", " left lung", "</p>", " is clear; a", "<p>", " lung nodule", "</p>",
    " is seen.", "</s>",
]  # fmt: skip


def test_each_phrase_is_converted_once_and_the_report_keeps_those_objects(
    tiny_pipeline: Any, phantom: ImageVolume
) -> None:
    streamed: list[StreamedPhrase] = []
    text: list[str] = []
    report = run_report(
        tiny_pipeline,
        phantom,
        max_new_tokens=40,
        box_threshold=0.0,
        on_text=text.append,
        on_phrase=streamed.append,
        logits_processors=[scripted(tiny_pipeline, REPORT)],
    )
    assert report.text == script_text(REPORT) == "".join(text)
    assert report.status is ReportStatus.COMPLETE
    # The very phrase and overlay objects that streamed: same ids, nothing converted again.
    assert len(streamed) == 2
    assert all(a is b.phrase for a, b in zip(report.phrases, streamed, strict=True))
    for item in streamed:
        for overlay in item.overlays:
            assert report.overlays[overlay.overlay_id] is overlay
    assert set(report.overlays) == {o.overlay_id for s in streamed for o in s.overlays}
    lung, nodule = (report.overlays_of(p) for p in report.phrases)
    assert isinstance(lung[0], MaskOverlay) and lung[0].label_map.shape == phantom.shape
    assert isinstance(nodule[0], BoxOverlay) and len(nodule[0].boxes) == 6
    for overlay in report.overlays.values():
        assert overlay.geometry.same_grid(phantom.geometry)
    assert [report.body.phrase_text(p) for p in report.phrases] == ["left lung", "lung nodule"]
    provenance = report.provenance
    assert provenance.kind is SourceKind.MODEL and provenance.weights is ModelWeights.UNTRAINED
    assert provenance.settings["box_threshold"] == 0.0
    again = GroundedReport.from_dict(report.to_dict())
    assert again.provenance.weights is ModelWeights.UNTRAINED
    assert [p.overlay_ids for p in again.phrases] == [p.overlay_ids for p in report.phrases]


def test_a_stopped_run_keeps_what_streamed(tiny_pipeline: Any, phantom: ImageVolume) -> None:
    cancel = threading.Event()
    streamed: list[StreamedPhrase] = []

    def on_phrase(item: StreamedPhrase) -> None:
        streamed.append(item)
        cancel.set()  # stop right after the first phrase

    report = run_report(
        tiny_pipeline,
        phantom,
        on_phrase=on_phrase,
        cancel=cancel,
        logits_processors=[scripted(tiny_pipeline, REPORT)],
    )
    assert report.status is ReportStatus.STOPPED
    assert [p for p in report.phrases] == [streamed[0].phrase]
    assert script_text(REPORT).startswith(report.text)


def test_phrases_that_did_not_stream_through_the_adapter_are_refused(
    tiny_pipeline: Any, phantom: ImageVolume
) -> None:
    result = tiny_pipeline.generate_report(
        phantom, max_new_tokens=40, logits_processors=[scripted(tiny_pipeline, REPORT)]
    )
    adapter = ResultAdapter(phantom.geometry, tiny_pipeline.taxonomy)
    with pytest.raises(InferenceError, match="2 phrases but 0 streamed through this adapter"):
        adapter.report(result)
    adapter.add_phrase(result.phrases[0])
    with pytest.raises(InferenceError, match=r"phrase 0 .* arrived after 1 phrases"):
        adapter.add_phrase(result.phrases[0])


def test_answers_use_the_history_and_link_their_overlays(
    tiny_pipeline: Any, phantom: ImageVolume
) -> None:
    conversation = Conversation()
    conversation.ask("Which modality?")
    first = run_answer(
        tiny_pipeline,
        phantom,
        conversation,
        max_new_tokens=20,
        logits_processors=[scripted(tiny_pipeline, ["Computed tomography.", "</s>"])],
    )
    assert first.turn.role is Role.ASSISTANT and not first.turn.grounded
    assert first.turn.content.text == "Computed tomography." and first.overlays == {}
    assert first.turn.provenance is not None
    assert first.turn.provenance.weights is ModelWeights.UNTRAINED
    assert len(conversation.turns) == 1  # the conversation is not changed
    conversation.add_turn(first.turn)
    turns = chat_turns(conversation, "Is the<heart> there?")
    assert [(t.question, t.answer) for t in turns] == [
        ("Which modality?", "Computed tomography."),
        ("Is the<heart> there?", None),
    ]
    streamed: list[StreamedPhrase] = []
    second = run_answer(
        tiny_pipeline,
        phantom,
        conversation,
        "Where is the heart?",
        grounded=True,
        on_phrase=streamed.append,
        logits_processors=[scripted(tiny_pipeline, ["Here:", "<p>", " heart", "</p>", "</s>"])],
    )
    content = second.turn.content
    assert second.turn.grounded and content.text == "Here: heart"
    assert [content.phrase_text(p) for p in content.phrases] == ["heart"]
    assert content.phrases[0] is streamed[0].phrase
    assert set(content.phrases[0].overlay_ids) == set(second.overlays)
    mask = second.overlays[content.phrases[0].overlay_ids[0]]
    assert isinstance(mask, MaskOverlay) and np.count_nonzero(mask.label_map) > 0


def test_a_question_is_needed_and_only_one() -> None:
    with pytest.raises(ModelError, match="no question"):
        chat_turns(Conversation(), None)
    pending = Conversation()
    pending.ask("one?")
    with pytest.raises(ModelError, match="unanswered question"):
        chat_turns(pending, "two?")
    assert [t.question for t in chat_turns(pending, None)] == ["one?"]
