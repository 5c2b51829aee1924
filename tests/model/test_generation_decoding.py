"""Grounded decoding on the tiny model with forced token sequences: plain results out."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from lm_fixtures import fixture_ct_volume, fixture_radiograph, fixture_tiny_pipeline  # noqa: F401

from model.generation import ForcedTokens, GeneratedPhrase, GenerationResult
from model.pipeline import VividMedPipeline
from model.processor import ArrayImage, VoxelBox
from model.provenance import WeightsState
from model.text import ChatTurn
from vividmed_viewer.core import ImageVolume, ModelError


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
    result = tiny_pipeline.generate_report(
        volume,
        max_new_tokens=60,
        box_threshold=0.0,
        on_text=streamed.append,
        on_phrase=lambda phrase: seen.append((phrase, len("".join(streamed)))),
        logits_processors=[forced(tiny_pipeline, REPORT)],
    )
    assert isinstance(result, GenerationResult) and result.grounded
    assert result.text == CLEAN == "".join(streamed)
    assert not result.stopped and result.generation.finished_by == "eos"
    assert [CLEAN[p.start : p.end] for p in result.phrases] == ["left lung", "small lung nodule"]
    assert [p.target for p in result.phrases] == ["left lung", "lung nodule"]
    # Each phrase is reported as soon as its </p> is decoded: its text has streamed, no more.
    assert [(phrase.text, at) for phrase, at in seen] == [
        ("left lung", CLEAN.index(" shows")),
        ("small lung nodule", CLEAN.index(" (8 mm")),
    ]
    assert [phrase for phrase, _ in seen] == result.phrases  # the very objects returned
    lung, nodule = result.phrases
    assert lung.category == "anatomy" and lung.boxes is None
    assert lung.mask is not None and lung.mask.shape == volume.shape and lung.mask.dtype == np.uint8
    assert nodule.category == "abnormality" and nodule.mask is None
    assert nodule.boxes is not None and len(nodule.boxes) == 6  # threshold 0 keeps every query
    assert nodule.box_scores == [box.score for box in nodule.boxes]
    for box in nodule.boxes:
        assert isinstance(box, VoxelBox)
        assert all(
            0 <= lo <= hi < size
            for lo, hi, size in zip(box.minimum, box.maximum, volume.shape, strict=True)
        )
    grid = result.generation.grid
    assert grid.shape == volume.shape and grid.spacing == volume.spacing
    assert grid.origin == volume.origin and np.array_equal(grid.direction, volume.direction)
    provenance = result.provenance
    assert provenance.settings["box_threshold"] == 0.0
    assert provenance.weights is WeightsState.UNTRAINED
    assert provenance.name == "VividMed (tiny)"
    assert provenance.checkpoint == "none (built from config 'tiny')"


def test_plain_arrays_in_plain_results_out(tiny_pipeline: VividMedPipeline) -> None:
    """The model needs no viewer type: an array with its geometry is an image."""
    film = np.zeros((1, 90, 70), np.float32)
    film[0, 20:70, 15:55] = 500.0
    image = ArrayImage(film, spacing=(1.0, 0.5, 0.5), origin=(0.0, -10.0, 5.0), modality="DX")
    result = tiny_pipeline.generate_report(
        image, max_new_tokens=40, heads="both", logits_processors=[forced(tiny_pipeline, REPORT)]
    )
    assert result.text == CLEAN
    for phrase in result.phrases:
        assert phrase.mask is not None and phrase.mask.shape == (1, 90, 70)
        assert phrase.boxes is not None and all(isinstance(b, VoxelBox) for b in phrase.boxes)
    assert result.generation.grid.index_to_patient([0, 2, 4]).tolist() == [0.0, -9.0, 7.0]


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


def test_cancel_stops_between_tokens_and_marks_the_result(
    tiny_pipeline: VividMedPipeline, radiograph: ImageVolume
) -> None:
    cancel = threading.Event()
    streamed: list[str] = []

    def on_text(delta: str) -> None:
        streamed.append(delta)
        if len(streamed) == 3:
            cancel.set()

    result = tiny_pipeline.generate_report(
        radiograph,
        on_text=on_text,
        cancel=cancel,
        logits_processors=[forced(tiny_pipeline, REPORT)],
    )
    assert result.stopped and result.generation.finished_by == "cancelled"
    assert len(streamed) == 3 and result.text == "".join(streamed)
    assert CLEAN.startswith(result.text) and result.text != CLEAN
    stopped_at_once = tiny_pipeline.generate_report(radiograph, cancel=lambda: True)
    assert stopped_at_once.text == "" and stopped_at_once.stopped


def test_max_new_tokens_bounds_the_answer(
    tiny_pipeline: VividMedPipeline, radiograph: ImageVolume
) -> None:
    processor = forced(tiny_pipeline, REPORT)
    result = tiny_pipeline.generate_report(
        radiograph, max_new_tokens=4, logits_processors=[processor]
    )
    expected = tiny_pipeline.tokenizer.decode(processor.token_ids[:4]).lstrip()
    assert result.text == expected and not result.stopped
    assert result.generation.finished_by == "max_new_tokens"


def test_answer_uses_the_history(tiny_pipeline: VividMedPipeline, radiograph: ImageVolume) -> None:
    first = tiny_pipeline.answer(
        radiograph,
        [ChatTurn("Which modality?")],
        max_new_tokens=20,
        logits_processors=[forced(tiny_pipeline, ["Radiograph.", "</s>"])],
    )
    assert first.text == "Radiograph." and not first.grounded and first.phrases == []
    history = [ChatTurn("Which modality?", first.text), ChatTurn("Where is the heart?")]
    second = tiny_pipeline.answer(
        radiograph,
        history,
        grounded=True,
        logits_processors=[forced(tiny_pipeline, ["Here:", "<p>", " heart", "</p>", "</s>"])],
    )
    assert second.grounded and second.text == "Here: heart"
    assert [(p.text, p.target) for p in second.phrases] == [("heart", "heart")]
    assert second.phrases[0].mask is not None  # anatomy: a mask on the image grid


def test_answer_needs_turns_that_end_with_the_question(
    tiny_pipeline: VividMedPipeline, radiograph: ImageVolume
) -> None:
    with pytest.raises(ModelError, match="end with a question"):
        tiny_pipeline.answer(radiograph, [])
    with pytest.raises(ModelError, match="end with a question"):
        tiny_pipeline.answer(radiograph, [ChatTurn("one?", "yes")])
    with pytest.raises(ModelError, match=r"history turns \[1\] have no answer"):
        tiny_pipeline.answer(radiograph, [ChatTurn("one?"), ChatTurn("two?")])


def test_describe_names_model_and_settings(tiny_pipeline: VividMedPipeline) -> None:
    described: dict[str, Any] = tiny_pipeline.describe()
    assert described["name"] == "tiny" and not described["trained"]
    assert described["weights"] == "untrained" and not tiny_pipeline.trained
    assert described["device"] == "cpu" and described["dtype"] == "float32"
    assert described["box_threshold"] == 0.5 and described["parameters"] > 0
