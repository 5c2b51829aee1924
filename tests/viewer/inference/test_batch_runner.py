"""Batch inference on the tiny model: bundles, an interrupted run resumed, a failing case."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vividmed_viewer.core import BoxOverlay, ImageVolume, InferenceError, MaskOverlay, Role
from vividmed_viewer.core.provenance import ModelWeights
from vividmed_viewer.inference.batch_runner import BatchOptions, run_batch
from vividmed_viewer.inference.bundle_reader import find_result_bundle, load_result_bundle
from vividmed_viewer.inference.cases import find_cases
from vividmed_viewer.inference.forcing import script_text, scripted
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.io import load_image

REPORT = [
    "The", "<p>", " left lung", "</p>", " is clear; a", "<p>", " lung nodule", "</p>",
    " is seen.", "</s>",
]  # fmt: skip
QUESTIONS = ["Is there a nodule?"]


class InterruptAt:
    """Raises ``KeyboardInterrupt`` (as Ctrl+C does) when generation number ``count`` starts."""

    def __init__(self, count: int) -> None:
        self.count, self.started = count, 0

    def __call__(self, generated: Sequence[int], logits: Any) -> Any:
        if not generated:
            self.started += 1
            if self.started == self.count:
                raise KeyboardInterrupt
        return logits


def options(out: Path, pipeline: Any, *extra: Any, questions: bool = True) -> BatchOptions:
    return BatchOptions(
        out=out,
        settings=InferenceSettings(device="cpu", max_new_tokens=40, box_threshold=0.0),
        questions=list(QUESTIONS) if questions else [],
        logits_processors=(scripted(pipeline, REPORT), *extra),
    )


def check_bundle(folder: Path, image: ImageVolume, questions: bool = True) -> None:
    """A complete bundle: report with linked regions, masks on the image grid, boxes, answers."""
    report, answers = load_result_bundle(folder)
    assert report.text == script_text(REPORT)
    assert [p.target for p in report.phrases] == ["left lung", "lung nodule"]
    lung, nodule = (report.overlays_of(p) for p in report.phrases)
    assert isinstance(lung[0], MaskOverlay) and isinstance(nodule[0], BoxOverlay)
    masks = sorted((folder / "masks").glob("*.nii.gz"))
    assert [m.name.split("_")[1] for m in masks if not m.name.startswith("answer-")] == [
        "left-lung"
    ]
    mask = load_image(masks[0])
    assert mask.geometry.same_grid(image.geometry)
    assert int(np.count_nonzero(mask.voxels)) == lung[0].voxel_count
    boxes = json.loads((folder / "boxes.json").read_text())
    report_boxes = [b for b in boxes["boxes"] if b["source"] == "report"]
    assert len(report_boxes) == len(nodule[0].boxes) > 0
    assert {b["phrase"] for b in report_boxes} == {"lung nodule"}
    model = json.loads((folder / "model.json").read_text())
    assert model["name"] == "tiny" and model["trained"] is False
    assert report.provenance.weights is ModelWeights.UNTRAINED  # read back from report.json
    if not questions:
        assert answers.turns == [] and model["settings"]["questions"] == []
        return
    assert [t.role for t in answers.turns] == [Role.USER, Role.ASSISTANT]
    assert answers.turns[0].content.text == QUESTIONS[0]
    answer_provenance = answers.turns[1].provenance
    assert answer_provenance is not None and answer_provenance.weights is ModelWeights.UNTRAINED
    assert model["settings"]["questions"] == QUESTIONS
    assert model["settings"]["box_threshold"] == 0.0


def test_interrupted_run_resumes_and_redoes_no_finished_case(
    tmp_path: Path, case_folder: Path, tiny_pipeline: Any, phantom: ImageVolume
) -> None:
    cases = find_cases(case_folder)
    assert [c.case_id for c in cases] == ["a", "b", "c"]
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):  # as Ctrl+C while case b is being written
        run_batch(
            cases,
            options(out, tiny_pipeline, InterruptAt(2), questions=False),
            lambda: tiny_pipeline,
            show_progress=False,
        )
    assert (out / "a" / "DONE").is_file() and not (out / "b" / "DONE").exists()
    first = {p.name: p.stat().st_mtime_ns for p in (out / "a").rglob("*") if p.is_file()}
    (out / "b").mkdir()
    (out / "b" / "report.json").write_text("{}")  # as a kill while writing the bundle leaves it
    with pytest.raises(InferenceError, match="incomplete result bundle"):
        load_result_bundle(out / "b")

    resumed = options(out, tiny_pipeline, questions=False)
    summary = run_batch(cases, resumed, lambda: tiny_pipeline, show_progress=False)
    assert [(o.case_id, o.status) for o in summary.outcomes] == [
        ("a", "skipped"),
        ("b", "done"),
        ("c", "done"),
    ]
    assert {p.name: p.stat().st_mtime_ns for p in (out / "a").rglob("*") if p.is_file()} == first
    for name in ("a", "b", "c"):
        check_bundle(out / name, phantom, questions=False)
    assert find_result_bundle(out, case_folder / "b.nii.gz") == out / "b"
    saved = json.loads((out / "summary.json").read_text())
    assert saved["counts"] == {"done": 2, "skipped": 1, "failed": 0}

    loads: list[int] = []

    def load() -> Any:
        loads.append(1)
        return tiny_pipeline

    again = run_batch(cases, resumed, load)
    assert again.count("skipped") == 3 and loads == []  # nothing to do: the model never loads


def test_a_failing_case_is_recorded_and_the_run_goes_on(
    tmp_path: Path, case_folder: Path, tiny_pipeline: Any, phantom: ImageVolume
) -> None:
    broken = tmp_path / "broken.nii.gz"
    broken.write_bytes(b"not a nifti file at all")
    case_list = tmp_path / "cases.csv"
    case_list.write_text(f"case_id,path\nfirst,{case_folder / 'a.nii.gz'}\nbad,{broken}\n")
    out = tmp_path / "out"
    summary = run_batch(find_cases(case_list), options(out, tiny_pipeline), lambda: tiny_pipeline)
    assert [(o.case_id, o.status) for o in summary.outcomes] == [
        ("first", "done"),
        ("bad", "failed"),
    ]
    assert str(broken) in summary.outcomes[1].error
    error_text = (out / "bad" / "error.txt").read_text()
    assert f"case bad ({broken}) failed" in error_text
    check_bundle(out / "first", phantom)
    with pytest.raises(InferenceError, match="this case failed in the batch run"):
        load_result_bundle(out / "bad")
    rerun = run_batch(find_cases(case_list), options(out, tiny_pipeline), lambda: tiny_pipeline)
    assert [o.status for o in rerun.outcomes] == ["skipped", "failed"]  # failed ones are retried
