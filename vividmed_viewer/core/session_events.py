"""The session's typed events: what changed, on which open image.

Every event names the image it concerns by ``image_id`` (see
:class:`~vividmed_viewer.core.open_image.OpenImage`), so a widget showing another image
can ignore it. Events are frozen: a subscriber reads the session for anything more.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vividmed_viewer.core.overlay_style import OverlayStyle
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.core.typed_events import Emitter
from vividmed_viewer.core.window import WindowLevel

Point = tuple[float, float, float]


class Change(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True)
class ImagesChanged:
    """An image was opened or closed (``change``); ``image_ids`` lists what is open now."""

    image_id: str
    change: Change
    image_ids: tuple[str, ...]


@dataclass(frozen=True)
class ActiveImageChanged:
    image_id: str | None


@dataclass(frozen=True)
class ReportChanged:
    """The image's report was set or replaced (text growing inside it: ``report.changed``)."""

    image_id: str
    report: GroundedReport | None


@dataclass(frozen=True)
class OverlaysChanged:
    """Overlays were added to or removed from what the image shows."""

    image_id: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class StyleChanged:
    image_id: str
    overlay_id: str
    style: OverlayStyle


@dataclass(frozen=True)
class PhraseSelected:
    """The user picked a phrase (report or chat): its regions flash, views go to the first."""

    image_id: str
    target: str
    overlay_ids: tuple[str, ...]


@dataclass(frozen=True)
class HoverChanged:
    image_id: str
    overlay_id: str | None


@dataclass(frozen=True)
class WindowChanged:
    image_id: str
    window: WindowLevel
    inverted: bool


@dataclass(frozen=True)
class SliceChanged:
    image_id: str
    view: str
    index: int


@dataclass(frozen=True)
class CrosshairChanged:
    image_id: str
    point: Point | None


@dataclass(frozen=True)
class ViewReset:
    """Reset View: window, crosshair and cameras back to how the image opened."""

    image_id: str


@dataclass(frozen=True)
class LayoutChanged:
    """``maximized``: the one view shown alone, or None for the image's full layout."""

    maximized: str | None


@dataclass(frozen=True)
class MeasurementsChanged:
    image_id: str
    measurement_id: str
    change: Change


class SessionEvents:
    """One emitter per kind of change; widgets connect to the ones they show."""

    def __init__(self) -> None:
        self.images: Emitter[ImagesChanged] = Emitter("images")
        self.active_image: Emitter[ActiveImageChanged] = Emitter("active_image")
        self.report: Emitter[ReportChanged] = Emitter("report")
        self.overlays: Emitter[OverlaysChanged] = Emitter("overlays")
        self.style: Emitter[StyleChanged] = Emitter("style")
        self.phrase_selected: Emitter[PhraseSelected] = Emitter("phrase_selected")
        self.hover: Emitter[HoverChanged] = Emitter("hover")
        self.window: Emitter[WindowChanged] = Emitter("window")
        self.slice: Emitter[SliceChanged] = Emitter("slice")
        self.crosshair: Emitter[CrosshairChanged] = Emitter("crosshair")
        self.view_reset: Emitter[ViewReset] = Emitter("view_reset")
        self.layout: Emitter[LayoutChanged] = Emitter("layout")
        self.measurements: Emitter[MeasurementsChanged] = Emitter("measurements")
