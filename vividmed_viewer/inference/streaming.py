"""Grow a report or an answer as the model streams it: text deltas, then phrases with regions.

Qt-free. The worker's job converts each phrase once (``model_results.ResultAdapter``) and
hands the :class:`StreamedPhrase` over; these helpers apply them, in order, to a
``GroundedReport`` (whose ``changed`` event the report panel follows) or to a pending chat
answer. The job's final report is assembled from the same phrase and overlay objects, so
finishing adopts only its status and provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vividmed_viewer.core.grounded_text import GroundedText
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.core.provenance import Provenance
from vividmed_viewer.core.report import GroundedReport, ReportStatus
from vividmed_viewer.inference.model_results import StreamedPhrase

__all__ = ["AnswerStream", "ReportStream", "StreamedPhrase"]


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
        """Adopt the job's final report: its status, provenance and image reference.

        Its text, phrases and overlays are the ones that streamed (the same objects), which
        the streamed report already holds and the viewer already shows.
        """
        report = self.report
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
