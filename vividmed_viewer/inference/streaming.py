"""Grow a report or an answer as the model streams it: text deltas, then phrases with regions.

Qt-free. The worker turns each phrase the decoder reports into core overlays with the
pipeline's own converter (``model.generation.phrase_overlays``) and a :class:`Phrase`;
these helpers apply them, in order, to a ``GroundedReport`` (whose ``changed`` event the
report panel follows) or to a pending chat answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.grounded_text import GroundedText, Phrase
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.core.provenance import Provenance
from vividmed_viewer.core.report import GroundedReport, ReportStatus
from vividmed_viewer.core.taxonomy import Taxonomy


@dataclass(frozen=True)
class StreamedPhrase:
    """One phrase of the streamed text and the overlays (image grid) it links to."""

    phrase: Phrase
    overlays: tuple[Overlay, ...]


def streamed_phrase(generated: Any, geometry: GridGeometry, taxonomy: Taxonomy) -> StreamedPhrase:
    """A decoder ``GeneratedPhrase`` as a core phrase with its overlays on ``geometry``."""
    from model.generation import GroundedGeneration, phrase_overlays

    holder = GroundedGeneration(text="", phrases=[], geometry=geometry)
    overlays = phrase_overlays(generated, holder, taxonomy)
    phrase = Phrase(
        generated.start, generated.end, generated.target, tuple(o.overlay_id for o in overlays)
    )
    return StreamedPhrase(phrase, tuple(overlays))


def same_spans(first: GroundedText, second: GroundedText) -> bool:
    """True when both texts are equal and have the same phrase spans and targets."""
    if first.text != second.text or len(first.phrases) != len(second.phrases):
        return False
    return all(
        (a.start, a.end, a.target, len(a.overlay_ids))
        == (b.start, b.end, b.target, len(b.overlay_ids))
        for a, b in zip(first.phrases, second.phrases, strict=True)
    )


class ReportStream:
    """Applies streamed text and phrases to a ``GroundedReport`` with status STREAMING."""

    def __init__(self, provenance: Provenance, image_reference: str = "") -> None:
        self.report = GroundedReport(
            provenance=provenance,
            status=ReportStatus.STREAMING,
            image_reference=image_reference,
        )

    def add_text(self, delta: str) -> None:
        if delta:
            self.report.append_text(delta)

    def add_phrase(self, streamed: StreamedPhrase) -> None:
        """Store the phrase's overlays, then the phrase (every link points at a stored overlay)."""
        for overlay in streamed.overlays:
            self.report.overlays[overlay.overlay_id] = overlay
        self.report.add_phrase(streamed.phrase)

    def finish(self, final: GroundedReport) -> GroundedReport:
        """Adopt the pipeline's final report: its status and provenance; its body if it differs.

        The streamed overlays are kept when the final text and spans match what streamed
        (the viewer already shows them); otherwise the final body and overlays replace them.
        """
        report = self.report
        if not same_spans(report.body, final.body):
            report.body = final.body
            report.overlays = dict(final.overlays)
        report.provenance = final.provenance
        report.image_reference = final.image_reference or report.image_reference
        report.set_status(final.status)
        return report

    def stop(self) -> GroundedReport:
        """Stopped by the user: keep the partial text, mark it stopped."""
        self.report.set_status(ReportStatus.STOPPED)
        return self.report

    def fail(self) -> GroundedReport:
        self.report.set_status(ReportStatus.FAILED)
        return self.report


@dataclass
class AnswerStream:
    """A chat answer while it streams: clean text, phrases and their overlays."""

    body: GroundedText = field(default_factory=GroundedText)
    overlays: dict[str, Overlay] = field(default_factory=dict)

    def add_text(self, delta: str) -> None:
        self.body.text += delta

    def add_phrase(self, streamed: StreamedPhrase) -> None:
        for overlay in streamed.overlays:
            self.overlays[overlay.overlay_id] = overlay
        self.body.check_phrase(streamed.phrase)
        self.body.phrases.append(streamed.phrase)
