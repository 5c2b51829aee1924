"""The one place where the model's plain results become core types.

Per run, a :class:`ResultAdapter` converts each phrase the decoder reports into a core
:class:`Phrase` and its overlays exactly once, as it streams; the final report (or chat
turn) is then assembled from those same objects, so the ids the viewer already shows are
the ids the report keeps. The model's provenance (plain data, a ``WeightsState``) becomes
a core :class:`Provenance` with its ``ModelWeights``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vividmed_viewer.core.conversation import Role, Turn
from vividmed_viewer.core.errors import InferenceError
from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.grounded_text import GroundedText, Phrase
from vividmed_viewer.core.overlays import Box, BoxOverlay, MaskOverlay, Overlay
from vividmed_viewer.core.provenance import ModelWeights, Provenance, SourceKind
from vividmed_viewer.core.report import GroundedReport, ReportStatus
from vividmed_viewer.core.taxonomy import Taxonomy

if TYPE_CHECKING:
    from model.generation import GeneratedPhrase, GenerationResult
    from model.provenance import ModelProvenance


@dataclass(frozen=True)
class StreamedPhrase:
    """One phrase of the streamed text and the overlays (image grid) it links to."""

    phrase: Phrase
    overlays: tuple[Overlay, ...]


def to_provenance(source: ModelProvenance) -> Provenance:
    """The core provenance of a model's output (its weights' state as ``ModelWeights``)."""
    return Provenance(
        kind=SourceKind.MODEL,
        name=source.name,
        checkpoint=source.checkpoint,
        settings=dict(source.settings),
        weights=ModelWeights(source.weights.value),
    )


def phrase_overlays(
    generated: GeneratedPhrase, geometry: GridGeometry, taxonomy: Taxonomy
) -> list[Overlay]:
    """The overlays of one phrase (a mask and/or boxes) on ``geometry``; empty ones dropped."""
    colour = taxonomy.colour_of(generated.target)
    overlays: list[Overlay] = []
    if generated.mask is not None and generated.mask.any():
        overlays.append(
            MaskOverlay(
                target=generated.target,
                label_map=generated.mask,
                geometry=geometry,
                colour=colour,
                score=generated.mask_score,
            )
        )
    if generated.boxes:
        boxes = [Box(b.minimum, b.maximum, b.score) for b in generated.boxes]
        overlays.append(
            BoxOverlay(target=generated.target, boxes=boxes, geometry=geometry, colour=colour)
        )
    return overlays


class ResultAdapter:
    """Turns one run's model output into core types, each phrase once, as it streams.

    ``geometry`` is the grid of the image the model ran on (masks and boxes are on it);
    ``on_phrase`` (optional) gets every converted phrase as soon as it is converted.
    Pass :meth:`add_phrase` to the pipeline as its ``on_phrase`` callback.
    """

    def __init__(
        self,
        geometry: GridGeometry,
        taxonomy: Taxonomy,
        on_phrase: Callable[[StreamedPhrase], None] | None = None,
    ) -> None:
        self.geometry = geometry
        self.taxonomy = taxonomy
        self.on_phrase = on_phrase
        self.streamed: list[StreamedPhrase] = []

    def add_phrase(self, generated: GeneratedPhrase) -> StreamedPhrase:
        """Convert a phrase the decoder just closed, keep it, hand it on."""
        if generated.index != len(self.streamed):
            raise InferenceError(
                f"phrase {generated.index} ({generated.text!r}) arrived after "
                f"{len(self.streamed)} phrases: phrases must stream in order, each once"
            )
        overlays = phrase_overlays(generated, self.geometry, self.taxonomy)
        phrase = Phrase(
            generated.start, generated.end, generated.target, tuple(o.overlay_id for o in overlays)
        )
        streamed = StreamedPhrase(phrase, tuple(overlays))
        self.streamed.append(streamed)
        if self.on_phrase is not None:
            self.on_phrase(streamed)
        return streamed

    def grounded_text(self, result: GenerationResult) -> tuple[GroundedText, dict[str, Overlay]]:
        """The final text with the streamed phrases (the same objects) and their overlays."""
        if len(result.phrases) != len(self.streamed):
            raise InferenceError(
                f"the model made {len(result.phrases)} phrases but {len(self.streamed)} "
                "streamed through this adapter (pass add_phrase as the on_phrase callback)"
            )
        overlays = {o.overlay_id: o for s in self.streamed for o in s.overlays}
        return GroundedText(result.text, [s.phrase for s in self.streamed]), overlays

    def report(self, result: GenerationResult, image_reference: str = "") -> GroundedReport:
        """The report (status ``stopped`` when decoding was cancelled)."""
        body, overlays = self.grounded_text(result)
        return GroundedReport(
            body=body,
            overlays=overlays,
            provenance=to_provenance(result.provenance),
            status=ReportStatus.STOPPED if result.stopped else ReportStatus.COMPLETE,
            image_reference=image_reference,
        )

    def turn(self, result: GenerationResult) -> tuple[Turn, dict[str, Overlay]]:
        """The assistant's turn and the overlays its phrases link to."""
        body, overlays = self.grounded_text(result)
        provenance = to_provenance(result.provenance)
        return Turn(Role.ASSISTANT, body, grounded=result.grounded, provenance=provenance), overlays
