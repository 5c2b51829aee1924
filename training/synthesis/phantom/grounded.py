"""Turn a phantom's report and labels into a core ``GroundedReport`` (ground truth)."""

from __future__ import annotations

from training.synthesis.phantom.case import PhantomCase, check_image_kind
from vividmed_viewer.core import (
    BoxOverlay,
    GroundedReport,
    GroundedText,
    MaskOverlay,
    Overlay,
    Phrase,
    Provenance,
    SourceKind,
    Taxonomy,
    default_taxonomy,
)


def to_grounded_report(
    case: PhantomCase, image: str = "ct", taxonomy: Taxonomy | None = None
) -> GroundedReport:
    """The case's report for ``image`` ("ct" or "drr") with phrases linked to its labels.

    Anatomy phrases link to a mask overlay, abnormality phrases to a box overlay holding the
    instances the phrase names (all of the target's boxes when the tag names none).
    """
    check_image_kind(image)
    taxonomy = taxonomy or default_taxonomy()
    text, tags = case.report_and_tags(image)
    geometry = case.image(image).geometry
    masks, boxes = case.masks(image), case.boxes(image)
    overlays: dict[str, Overlay] = {}
    by_key: dict[tuple[str, tuple[int, ...]], str] = {}
    phrases = []
    for tag in tags:
        target = tag["target"]
        colour = taxonomy.colour_of(target)
        wants_boxes = target in taxonomy and taxonomy[target].wants_boxes and target in boxes
        instances = tuple(tag.get("instances", range(len(boxes.get(target, [])))))
        key = (target, instances if wants_boxes else ())
        if key not in by_key:
            overlay: Overlay
            if wants_boxes:
                chosen = [boxes[target][i] for i in instances]
                overlay = BoxOverlay(target, chosen, geometry, colour)
            else:
                overlay = MaskOverlay(target, masks[target], geometry, colour)
            overlays[overlay.overlay_id] = overlay
            by_key[key] = overlay.overlay_id
        phrases.append(Phrase(tag["start"], tag["end"], target, (by_key[key],)))
    return GroundedReport(
        body=GroundedText(text, phrases),
        overlays=overlays,
        provenance=Provenance(
            kind=SourceKind.GROUND_TRUTH, name="synthetic phantom", note=f"seed {case.seed}"
        ),
        image_reference=f"phantom-{case.seed}-{image}",
    )
