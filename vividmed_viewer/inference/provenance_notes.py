"""Plain warnings in a model output's provenance: untrained weights, a demonstration model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vividmed_viewer.core.provenance import Provenance

if TYPE_CHECKING:
    from model.pipeline import VividMedPipeline

UNTRAINED_NOTE = "UNTRAINED weights (no checkpoint): the text and regions are not meaningful"
DEMO_NOTE = (
    "demonstration model trained on synthetic phantoms only: not a medical opinion, "
    "not for clinical use"
)


def annotate_provenance(provenance: Provenance | None, pipeline: VividMedPipeline) -> None:
    """Say plainly in ``provenance.note`` when the weights are untrained or a demo's."""
    if provenance is None:
        return
    warning = DEMO_NOTE if pipeline.trained and pipeline.name == "demo" else ""
    if not pipeline.trained:
        warning = UNTRAINED_NOTE
        provenance.note = provenance.note.replace("untrained weights", "").strip(" ·")
    if not provenance.checkpoint:
        provenance.checkpoint = f"none (built from config '{pipeline.name}')"
    if warning and warning not in provenance.note:
        provenance.note = " · ".join(n for n in (warning, provenance.note) if n)
