"""Grounded decoding results → core objects: ``GroundedReport`` and a conversation ``Turn``."""

from __future__ import annotations

from model.generation.result import GeneratedPhrase, GroundedGeneration
from vividmed_viewer.core.conversation import Role, Turn
from vividmed_viewer.core.grounded_text import GroundedText, Phrase
from vividmed_viewer.core.overlays import BoxOverlay, MaskOverlay, Overlay
from vividmed_viewer.core.provenance import Provenance
from vividmed_viewer.core.report import GroundedReport, ReportStatus
from vividmed_viewer.core.taxonomy import Taxonomy, default_taxonomy


def phrase_overlays(
    phrase: GeneratedPhrase, generation: GroundedGeneration, taxonomy: Taxonomy
) -> list[Overlay]:
    """The overlays of one phrase (a mask and/or boxes) on the original grid; empty ones dropped."""
    colour = taxonomy.colour_of(phrase.target)
    overlays: list[Overlay] = []
    if phrase.mask is not None and phrase.mask.any():
        overlays.append(
            MaskOverlay(
                target=phrase.target,
                label_map=phrase.mask,
                geometry=generation.geometry,
                colour=colour,
                score=phrase.mask_score,
            )
        )
    if phrase.boxes:
        overlays.append(
            BoxOverlay(
                target=phrase.target,
                boxes=list(phrase.boxes),
                geometry=generation.geometry,
                colour=colour,
            )
        )
    return overlays


def to_grounded_text(
    generation: GroundedGeneration, taxonomy: Taxonomy | None = None
) -> tuple[GroundedText, dict[str, Overlay]]:
    """Clean text with phrase spans linked to their overlays, and those overlays by id."""
    taxonomy = taxonomy or default_taxonomy()
    overlays: dict[str, Overlay] = {}
    phrases = []
    for generated in generation.phrases:
        made = phrase_overlays(generated, generation, taxonomy)
        overlays.update({o.overlay_id: o for o in made})
        phrases.append(
            Phrase(
                generated.start,
                generated.end,
                generated.target,
                tuple(o.overlay_id for o in made),
            )
        )
    return GroundedText(generation.text, phrases), overlays


def to_grounded_report(
    generation: GroundedGeneration,
    provenance: Provenance,
    taxonomy: Taxonomy | None = None,
    image_reference: str = "",
) -> GroundedReport:
    """A report (status ``stopped`` when decoding was cancelled)."""
    body, overlays = to_grounded_text(generation, taxonomy)
    return GroundedReport(
        body=body,
        overlays=overlays,
        provenance=provenance,
        status=ReportStatus.STOPPED if generation.stopped else ReportStatus.COMPLETE,
        image_reference=image_reference,
    )


def to_turn(
    generation: GroundedGeneration,
    provenance: Provenance,
    grounded: bool,
    taxonomy: Taxonomy | None = None,
) -> tuple[Turn, dict[str, Overlay]]:
    """An assistant turn and the overlays its phrases link to."""
    body, overlays = to_grounded_text(generation, taxonomy)
    return Turn(Role.ASSISTANT, body, grounded=grounded, provenance=provenance), overlays
