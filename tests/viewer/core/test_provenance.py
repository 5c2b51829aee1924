"""``Provenance.weights``: the weights' state as an enum, kept in reports; old files load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vividmed_viewer.core import GroundedReport, GroundedText, ValidationError
from vividmed_viewer.core.provenance import (
    DEMO_WARNING,
    UNTRAINED_WARNING,
    ModelWeights,
    Provenance,
    SourceKind,
)


def test_the_weights_state_gives_the_warning_and_the_header() -> None:
    untrained = Provenance(name="VividMed (tiny)", weights=ModelWeights.UNTRAINED)
    assert untrained.weights_warning == UNTRAINED_WARNING
    assert untrained.describe() == f"Model: VividMed (tiny) · {UNTRAINED_WARNING}"
    demo = Provenance(name="VividMed (demo)", weights=ModelWeights.DEMO, note="stopped")
    assert demo.describe() == f"Model: VividMed (demo) · {DEMO_WARNING} · stopped"
    trained = Provenance(name="VividMed (mine)", checkpoint="/m", weights=ModelWeights.TRAINED)
    assert (
        trained.weights_warning == ""
        and trained.describe() == "Model: VividMed (mine) · checkpoint /m"
    )
    # A warning-like note is only a note: nothing reads the state out of free text.
    assert Provenance(note="UNTRAINED weights").weights is ModelWeights.UNKNOWN
    assert Provenance(note="UNTRAINED weights").weights_warning == ""


def test_texts_no_model_wrote_have_no_weights() -> None:
    truth = Provenance(SourceKind.GROUND_TRUTH, "synthetic phantom", note="seed 7")
    assert truth.weights is ModelWeights.NOT_APPLICABLE and truth.weights_warning == ""
    with pytest.raises(ValidationError, match="a human text has no model weights"):
        Provenance(SourceKind.HUMAN, "reader 1", weights=ModelWeights.TRAINED)


def test_weights_are_saved_with_the_report_and_old_files_still_load(tmp_path: Path) -> None:
    provenance = Provenance(name="VividMed (demo)", weights=ModelWeights.DEMO)
    report = GroundedReport(body=GroundedText("Lungs clear."), provenance=provenance)
    path = tmp_path / "report.json"
    report.save(path)
    data = json.loads(path.read_text())
    assert data["provenance"]["weights"] == "demo"
    assert GroundedReport.load(path).provenance.weights is ModelWeights.DEMO
    # A report saved before the field existed: the state is unknown, the note kept as text.
    del data["provenance"]["weights"]
    data["provenance"]["note"] = "UNTRAINED weights (no checkpoint): not meaningful"
    path.write_text(json.dumps(data))
    old = GroundedReport.load(path).provenance
    assert old.weights is ModelWeights.UNKNOWN and old.note.startswith("UNTRAINED")
    assert (
        old.describe()
        == "Model: VividMed (demo) · UNTRAINED weights (no checkpoint): not meaningful"
    )
    data["provenance"].update(kind="ground truth", name="phantom")
    path.write_text(json.dumps(data))
    assert GroundedReport.load(path).provenance.weights is ModelWeights.NOT_APPLICABLE
