"""``OpenImage``: everything the session knows about one open image.

The image itself, where it came from, its report and conversation, the overlays it shows
(with where each came from and how it is drawn), its measurements, and how it is viewed
(window, slices, crosshair). Plain state: :class:`~vividmed_viewer.core.session.Session`
changes it and announces each change; nothing here emits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from vividmed_viewer.core.conversation import Conversation
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.measurements import Measurement
from vividmed_viewer.core.overlay_style import OverlayStyle
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.core.window import WindowLevel

Point = tuple[float, float, float]


class OverlayOrigin(StrEnum):
    """Where a shown overlay came from: the report, or an answer in the chat."""

    REPORT = "report"
    CHAT = "chat"


@dataclass
class ShownOverlay:
    overlay: Overlay
    origin: OverlayOrigin
    style: OverlayStyle


@dataclass
class ViewState:
    """How the image is viewed; restored when the user comes back to it."""

    window: WindowLevel
    inverted: bool = False
    slices: dict[str, int] = field(default_factory=dict)
    crosshair: Point | None = None


@dataclass
class OpenImage:
    """One open image and all that belongs to it in the session."""

    image_id: str
    volume: ImageVolume
    source: str = ""
    report: GroundedReport | None = None
    conversation: Conversation = field(default_factory=Conversation)
    shown: dict[str, ShownOverlay] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    measurements: dict[str, Measurement] = field(default_factory=dict)
    view_state: ViewState = field(init=False)

    def __post_init__(self) -> None:
        self.view_state = ViewState(self.volume.display_window, self.volume.invert_for_display)

    @property
    def title(self) -> str:
        """What lists and the window title call this image."""
        return self.volume.metadata.series_description or Path(self.source).name or "image"

    @property
    def overlays(self) -> list[Overlay]:
        """The shown overlays, in the order they arrived (report first, then chat)."""
        return [item.overlay for item in self.shown.values()]

    def resolve(self, overlay_id: str) -> str | None:
        """The shown overlay an id stands for now (an older chat region → its successor)."""
        seen: set[str] = set()
        while overlay_id not in self.shown:
            if overlay_id in seen or overlay_id not in self.aliases:
                return None
            seen.add(overlay_id)
            overlay_id = self.aliases[overlay_id]
        return overlay_id
