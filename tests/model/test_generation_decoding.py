"""Grounded decoding on the tiny model with forced token sequences."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from lm_fixtures import fixture_ct_volume, fixture_radiograph, fixture_tiny_pipeline  # noqa: F401

from model.generation import ForcedTokens, GeneratedPhrase
from model.pipeline import VividMedPipeline
from vividmed_viewer.core import (
    BoxOverlay,
    Conversation,
    GroundedReport,
    ImageVolume,
    MaskOverlay,
    ModelError,
    ReportStatus,
    Role,
)


def forced(pipeline: VividMedPipeline, pieces: list[str]) -> ForcedTokens:
    """Token ids of text pieces and tags (``<p>``, ``</p>``, ``</s>``) in order."""
    ids = pipeline.token_ids
    tags = {"<p>": ids.phrase_open, "</p>": ids.phrase_close, "</s>": ids.eos}
    sequence: list[int] = []
    for piece in pieces:
        if piece in tags:
            sequence.append(tags[piece])
        else:
            sequence += pipeline.tokenizer(piece, add_special_tokens=False)["input_ids"]
    return ForcedTokens(sequence)


REPORT = [
    "Heart normal. The", "<p>", " left lung", "</p>", " shows a", "<p>",
    " small lung nodule", "</p>", " (8 mm, naïve).", "</s>",
]  # fmt: skip
CLEAN = "Heart normal. The left lung shows a small lung nodule (8 mm, naïve)."


@pytest.mark.parametrize("image", ["radiograph", "ct_volume"])
def test_forced_report_has_exact_spans_and_regions_on_the_original_grid(
    tiny_pipeline: VividMedPipeline, image: str, request: pytest.FixtureRequest
) -> None:
    volume: ImageVolume = request.getfixturevalue(image)
    streamed: list[str] = []
    seen: list[tuple[GeneratedPhrase, int]] = []
    report = tiny_pipeline.generate_report(
        volume,
        max_new_tokens=60,
        box_threshold=0.0,
        on_text=streamed.append,
        on_phrase=lambda phrase: seen.append((phrase, len("".join(streamed)))),
        logits_processors=[forced(tiny_pipeline, REPORT)],
    )
    assert report.text == CLEAN == "".join(streamed)
    assert report.status is ReportStatus.COMPLETE
    assert [report.body.phrase_text(p) for p in report.phrases] == [
        "left lung",
        "small lung nodule",
    ]
    assert [p.target for p in report.phrases] == ["left lung", "lung nodule"]
    # Each phrase is reported as soon as its </p> is decoded: its text has streamed, no more.
    assert [(phrase.text, at) for phrase, at in seen] == [
        ("left lung", CLEAN.index(" shows")),
        ("small lung nodule", CLEAN.index(" (8 mm")),
    ]
    lung, nodule = (phrase for phrase, _ in seen)
    assert lung.category == "anatomy" and lung.boxes is None
    assert lung.mask is not None and lung.mask.shape == volume.shape and lung.mask.dtype == np.uint8
    assert nodule.category == "abnormality" and nodule.mask is None
    assert nodule.boxes is not None and len(nodule.boxes) == 6  # threshold 0 keeps every query
    for box in nodule.boxes:
        assert all(
            0 <= lo <= hi < size
            for lo, hi, size in zip(box.minimum, box.maximum, volume.shape, strict=True)
        )
    for overlay in report.overlays.values():
        assert overlay.geometry == volume.geometry
        if isinstance(overlay, MaskOverlay):
            assert overlay.label_map.shape == volume.shape
    assert isinstance(report.overlays[report.phrases[1].overlay_ids[0]], BoxOverlay)
    assert GroundedReport.from_dict(report.to_dict()).text == CLEAN
    assert report.provenance.settings["box_threshold"] == 0.0


def test_box_threshold_keeps_only_confident_boxes(
    tiny_pipeline: VividMedPipeline, radiograph: ImageVolume
) -> None:
    phrases: list[GeneratedPhrase] = []
    tiny_pipeline.generate_report(
        radiograph,
        max_new_tokens=40,
        box_threshold=1.0,
        heads="both",
        on_phrase=phrases.append,
        logits_processors=[forced(tiny_pipeline, REPORT)],
    )
    assert [p.boxes for p in phrases] == [[], []]
    assert all(p.mask is not None for p in phrases)


def test_cancel_stops_between_tokens_and_marks_the_report(
    tiny_pipeline: VividMedPipeline, radiograph: ImageVolume
) -> None:
    cancel = threading.Event()
    streamed: list[str] = []

    def on_text(delta: str) -> None:
        streamed.append(delta)
        if len(streamed) == 3:
            cancel.set()

    report = tiny_pipeline.generate_report(
        radiograph,
        on_text=on_text,
        cancel=cancel,
        logits_processors=[forced(tiny_pipeline, REPORT)],
    )
    assert report.status is ReportStatus.STOPPED
    assert len(streamed) == 3 and report.text == "".join(streamed)
    assert CLEAN.startswith(report.text) and report.text != CLEAN
    stopped_at_once = tiny_pipeline.generate_report(radiograph, cancel=lambda: True)
    assert stopped_at_once.text == "" and stopped_at_once.status is ReportStatus.STOPPED


def test_max_new_tokens_bounds_the_answer(
    tiny_pipeline: VividMedPipeline, radiograph: ImageVolume
) -> None:
    processor = forced(tiny_pipeline, REPORT)
    report = tiny_pipeline.generate_report(
        radiograph, max_new_tokens=4, logits_processors=[processor]
    )
    expected = tiny_pipeline.tokenizer.decode(processor.token_ids[:4]).lstrip()
    assert report.text == expected and report.status is ReportStatus.COMPLETE


def test_answer_uses_the_conversation_history(
    tiny_pipeline: VividMedPipeline, radiograph: ImageVolume
) -> None:
    conversation = Conversation()
    conversation.ask("Which modality?")
    first = tiny_pipeline.answer(
        radiograph,
        conversation,
        max_new_tokens=20,
        logits_processors=[forced(tiny_pipeline, ["Radiograph.", "</s>"])],
    )
    assert (
        first.role is Role.ASSISTANT and first.content.text == "Radiograph." and not first.grounded
    )
    conversation.add_turn(first)
    turns = VividMedPipeline.history(conversation, "Is the<heart> there?")
    assert [(t.question, t.answer) for t in turns] == [
        ("Which modality?", "Radiograph."),
        ("Is the<heart> there?", None),
    ]
    second = tiny_pipeline.answer(
        radiograph,
        conversation,
        "Where is the heart?",
        grounded=True,
        logits_processors=[forced(tiny_pipeline, ["Here:", "<p>", " heart", "</p>", "</s>"])],
    )
    assert second.grounded and second.content.text == "Here: heart"
    assert [second.content.phrase_text(p) for p in second.content.phrases] == ["heart"]
    for phrase in second.content.phrases:
        assert all(oid in conversation.overlays for oid in phrase.overlay_ids)


def test_answer_without_a_question_is_reported(tiny_pipeline: VividMedPipeline) -> None:
    with pytest.raises(ModelError, match="no question"):
        VividMedPipeline.history(Conversation(), None)
    pending = Conversation()
    pending.ask("one?")
    with pytest.raises(ModelError, match="unanswered question"):
        VividMedPipeline.history(pending, "two?")


def test_describe_names_model_and_settings(tiny_pipeline: VividMedPipeline) -> None:
    described: dict[str, Any] = tiny_pipeline.describe()
    assert described["name"] == "tiny" and not described["trained"]
    assert described["device"] == "cpu" and described["dtype"] == "float32"
    assert described["box_threshold"] == 0.5 and described["parameters"] > 0
