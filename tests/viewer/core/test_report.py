"""GroundedReport / Conversation: links, validation, JSON round trips, change events."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vividmed_viewer.core import (
    Box,
    BoxOverlay,
    Conversation,
    GridGeometry,
    GroundedReport,
    GroundedText,
    MaskOverlay,
    Phrase,
    Provenance,
    ReportStatus,
    Role,
    SerializationError,
    SourceKind,
    Turn,
    ValidationError,
)

GEOMETRY = GridGeometry((4, 16, 16), spacing=(2.0, 0.5, 0.5))


def make_report() -> GroundedReport:
    mask = np.zeros(GEOMETRY.shape, dtype=np.uint8)
    mask[1:3, 4:8, 2:6] = 1
    lung = MaskOverlay("left lung", mask, GEOMETRY, colour=(80, 160, 255))
    nodule = BoxOverlay("lung nodule", [Box((1, 2, 3), (2, 5, 7), score=0.9)], GEOMETRY)
    text = "The left lung is clear. A lung nodule is seen."
    report = GroundedReport(
        overlays={lung.overlay_id: lung, nodule.overlay_id: nodule},
        provenance=Provenance(SourceKind.GROUND_TRUTH, "synthetic phantom", note="seed 7"),
    )
    report.append_text(text)
    report.add_phrase(Phrase(4, 13, "left lung", (lung.overlay_id,)))
    report.add_phrase(Phrase(26, 37, "lung nodule", (nodule.overlay_id,)))
    return report


def test_phrases_index_the_text_and_link_to_overlays() -> None:
    report = make_report()
    assert [report.body.phrase_text(p) for p in report.phrases] == ["left lung", "lung nodule"]
    lung_phrase = report.find_phrase("LEFT LUNG")
    assert lung_phrase is not None
    (lung,) = report.overlays_of(lung_phrase)
    assert isinstance(lung, MaskOverlay)
    assert lung.voxel_count == 2 * 4 * 4
    assert lung.volume_ml == pytest.approx(32 * 2 * 0.25 / 1000)
    assert report.phrase_for_overlay(lung.overlay_id) == lung_phrase
    assert report.body.tagged() == (
        "The [left lung](left lung) is clear. A [lung nodule](lung nodule) is seen."
    )


def test_json_round_trip_keeps_masks_boxes_and_provenance(tmp_path: Path) -> None:
    report = make_report()
    path = tmp_path / "report.json"
    report.save(path)
    loaded = GroundedReport.load(path)
    assert loaded.text == report.text
    assert loaded.phrases == report.phrases
    for overlay_id, overlay in report.overlays.items():
        other = loaded.overlays[overlay_id]
        if isinstance(overlay, MaskOverlay):
            assert isinstance(other, MaskOverlay)
            assert np.array_equal(other.label_map, overlay.label_map)
        else:
            assert isinstance(other, BoxOverlay)
            assert other.boxes == overlay.boxes
    assert loaded.provenance.describe() == "Ground truth: synthetic phantom · seed 7"


def test_change_events_fire_while_streaming() -> None:
    report = GroundedReport()
    seen: list[str] = []
    report.changed.connect(lambda: seen.append(report.text))
    report.append_text("Heart ")
    report.append_text("normal.")
    report.set_status(ReportStatus.STOPPED)
    assert seen == ["Heart ", "Heart normal.", "Heart normal."]


def test_phrase_outside_text_or_unknown_overlay_is_rejected() -> None:
    report = make_report()
    with pytest.raises(ValidationError, match="text has"):
        report.add_phrase(Phrase(40, 400, "heart"))
    with pytest.raises(ValidationError, match="unknown overlays"):
        report.add_phrase(Phrase(0, 3, "heart", ("missing",)))
    with pytest.raises(ValidationError, match="start < end"):
        Phrase(5, 5, "heart")


def test_box_geometry_in_patient_space() -> None:
    box = Box((1, 2, 3), (2, 5, 7))
    assert box.extent_mm(GEOMETRY).tolist() == [4.0, 2.0, 2.5]
    corners = box.corners_patient(GEOMETRY)
    assert corners.shape == (8, 3)
    assert np.allclose(corners.min(axis=0), GEOMETRY.index_to_patient([1, 2, 3]))
    assert box.crosses_slice(0, 2) and not box.crosses_slice(0, 3)
    with pytest.raises(ValidationError, match="below its minimum"):
        Box((2, 2, 2), (1, 3, 3))


def test_mask_must_match_its_grid() -> None:
    with pytest.raises(ValidationError, match="grid is"):
        MaskOverlay("heart", np.zeros((1, 2, 2), dtype=np.uint8), GEOMETRY)
    with pytest.raises(ValidationError, match="uint8 or uint16"):
        MaskOverlay("heart", np.zeros(GEOMETRY.shape, dtype=np.float32), GEOMETRY)


def test_load_reports_file_and_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(SerializationError, match=r"broken\.json"):
        GroundedReport.load(path)
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(SerializationError, match="not a VividMed grounded report"):
        GroundedReport.load(path)


def test_conversation_alternates_turns_and_round_trips() -> None:
    conversation = Conversation(image_reference="case-1")
    conversation.ask("Is there a pleural effusion?")
    conversation.add_turn(
        Turn(Role.ASSISTANT, GroundedText("No."), provenance=Provenance(name="tiny"))
    )
    with pytest.raises(ValidationError, match="two assistant turns"):
        conversation.add_turn(Turn(Role.ASSISTANT, GroundedText("Again.")))
    loaded = Conversation.from_dict(json.loads(json.dumps(conversation.to_dict())))
    assert [t.role for t in loaded.turns] == [Role.USER, Role.ASSISTANT]
    assert loaded.turns[1].provenance is not None and loaded.turns[1].provenance.name == "tiny"
