"""``Session``: the evented, Qt-free model of what the user works on (ARCHITECTURE.md).

One answer to "what is the user looking at, and how is it shown?": the open images and
the active one, each image's report and conversation, the overlays it shows with their
display style, the selected phrase, window/level, slice positions, crosshair,
measurements and the layout. Widgets and views subscribe to :attr:`Session.events` and
change the session through its methods; none keeps a second copy of this state (napari's
``ViewerModel`` and layer events are the pattern).

A phrase click, end to end, in named calls::

    ui.phrase_panel.PhrasePanel.activate(name, index)        the link in the report is clicked
      └► Session.select_phrase(image_id, phrase)             resolves the phrase's shown regions
           └► events.phrase_selected: PhraseSelected(image_id, target, overlay_ids)
                ├► ui.views.image_viewer.ImageViewer.highlight(overlay_ids)
                │     every slice view centres on the first region, each region flashes,
                │     the 3D view highlights it (SliceView.center_on, SliceScene.set_highlight)
                └► PhrasePanel._on_phrase_selected: marks the phrase, writes the region's size

Everything else follows the same pattern: a widget calls a ``Session`` method, the session
changes its state (:class:`~vividmed_viewer.core.open_image.OpenImage`) and emits one typed
event (:mod:`vividmed_viewer.core.session_events`), and every widget that shows that state
updates from the event.

Overlay rules, stated once here:

- a report's overlays are shown as they stream in (the session follows ``report.changed``);
- a chat answer's region of a target replaces the chat's earlier region of the same
  target and kind (one row per target, however often it is asked about); older answer
  phrases still find it through :meth:`OpenImage.resolve`;
- a style the user chose (visible, colour, opacity, fill/outline) is kept by the session
  and survives any later region; a replaced chat region hands its style on.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.grounded_text import Phrase
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.measurements import Measurement
from vividmed_viewer.core.open_image import OpenImage, OverlayOrigin, ShownOverlay
from vividmed_viewer.core.overlay_style import (
    DEFAULT_MASK_DISPLAY,
    MaskDisplay,
    OverlayStyle,
    default_style,
)
from vividmed_viewer.core.overlays import BoxOverlay, Colour, Overlay
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.core.session_events import (
    ActiveImageChanged,
    Change,
    CrosshairChanged,
    HoverChanged,
    ImagesChanged,
    LayoutChanged,
    MeasurementsChanged,
    OverlaysChanged,
    PhraseSelected,
    ReportChanged,
    SessionEvents,
    SliceChanged,
    StyleChanged,
    ViewReset,
    WindowChanged,
)
from vividmed_viewer.core.window import WindowLevel

logger = logging.getLogger(__name__)

Point = tuple[float, float, float]


def _kind(overlay: Overlay) -> str:
    return "boxes" if isinstance(overlay, BoxOverlay) else "mask"


class Session:
    """What the user works on; every change is announced on :attr:`events`."""

    def __init__(self) -> None:
        self.events = SessionEvents()
        self.images: dict[str, OpenImage] = {}
        self.active_id: str | None = None
        self.maximized: str | None = None
        self.mask_display: MaskDisplay = DEFAULT_MASK_DISPLAY  # for overlays not yet styled
        self._numbers = itertools.count(1)
        self._report_watchers: dict[str, Callable[..., None]] = {}

    # ----- images -----------------------------------------------------------------------
    @property
    def active(self) -> OpenImage | None:
        """The image the views show (None before any image is open)."""
        return self.images.get(self.active_id) if self.active_id is not None else None

    def image(self, image_id: str) -> OpenImage:
        if image_id not in self.images:
            raise ValidationError(f"no open image {image_id!r} in the session")
        return self.images[image_id]

    def find_image(self, source: str) -> OpenImage | None:
        """The open image read from ``source`` (a path), if any."""
        return next((i for i in self.images.values() if source and i.source == source), None)

    def open_image(
        self, volume: ImageVolume, source: str = "", activate: bool = True, replace: bool = False
    ) -> OpenImage:
        """Add an image and show it.

        An image already open from ``source`` is shown again as the user left it (report,
        chat, measurements, window) unless ``replace``: then the new pixels replace it.
        """
        existing = self.find_image(source)
        if existing is not None and not replace:
            if activate:
                self.set_active(existing.image_id)
            return existing
        if existing is not None:
            self.close_image(existing.image_id)
        image = OpenImage(f"image-{next(self._numbers)}", volume, source)
        self.images[image.image_id] = image
        ids = tuple(self.images)
        self.events.images.emit(ImagesChanged(image.image_id, Change.ADDED, ids))
        if activate:
            self.set_active(image.image_id)
        return image

    def close_image(self, image_id: str) -> None:
        image = self.image(image_id)
        self._watch_report(image, None)
        del self.images[image_id]
        if self.active_id == image_id:
            self.set_active(next(reversed(self.images), None))
        ids = tuple(self.images)
        self.events.images.emit(ImagesChanged(image_id, Change.REMOVED, ids))

    def set_active(self, image_id: str | None) -> None:
        if image_id is not None:
            self.image(image_id)
        if image_id == self.active_id:
            return
        self.active_id = image_id
        self.events.active_image.emit(ActiveImageChanged(image_id))

    # ----- reports and chat overlays --------------------------------------------------------
    def set_report(self, image_id: str, report: GroundedReport | None) -> None:
        """Show ``report`` for the image; its overlays (also those still to stream) follow."""
        image = self.image(image_id)
        removed = [i for i, s in image.shown.items() if s.origin is OverlayOrigin.REPORT]
        if report is not None:
            removed = [i for i in removed if i not in report.overlays]
        self._remove(image, removed)
        self._watch_report(image, report)
        image.report = report
        self.events.report.emit(ReportChanged(image_id, report))
        added = self._add_report_overlays(image)
        if removed or added:
            self.events.overlays.emit(OverlaysChanged(image_id, tuple(added), tuple(removed)))

    def _watch_report(self, image: OpenImage, report: GroundedReport | None) -> None:
        old = image.report
        watcher = self._report_watchers.pop(image.image_id, None)
        if old is not None and watcher is not None:
            old.changed.disconnect(watcher)
        if report is not None:

            def follow(*_args: object, image_id: str = image.image_id) -> None:
                self.sync_report_overlays(image_id)

            report.changed.connect(follow)
            self._report_watchers[image.image_id] = follow

    def sync_report_overlays(self, image_id: str) -> None:
        """Bring the shown report overlays in line with the report (regions streamed in)."""
        image = self.images.get(image_id)
        if image is None or image.report is None:
            return
        report = image.report
        removed = [
            i
            for i, s in image.shown.items()
            if s.origin is OverlayOrigin.REPORT and i not in report.overlays
        ]
        self._remove(image, removed)
        added = self._add_report_overlays(image)
        if added or removed:
            self.events.overlays.emit(OverlaysChanged(image_id, tuple(added), tuple(removed)))

    def _add_report_overlays(self, image: OpenImage) -> list[str]:
        if image.report is None:
            return []
        new = [o for i, o in image.report.overlays.items() if i not in image.shown]
        for overlay in new:
            self._insert(image, overlay, OverlayOrigin.REPORT)
        return [o.overlay_id for o in new]

    def add_chat_overlays(self, image_id: str, overlays: Iterable[Overlay]) -> list[str]:
        """Show an answer's regions: one chat region per target and kind (newest wins)."""
        image = self.image(image_id)
        added: list[str] = []
        removed: list[str] = []
        for overlay in overlays:
            if overlay.overlay_id in image.shown:
                continue
            previous = next(
                (
                    i
                    for i, s in image.shown.items()
                    if s.origin is OverlayOrigin.CHAT
                    and s.overlay.target == overlay.target
                    and _kind(s.overlay) == _kind(overlay)
                ),
                None,
            )
            style = None
            if previous is not None:
                style = image.shown[previous].style
                self._remove(image, [previous])
                image.aliases[previous] = overlay.overlay_id
                removed.append(previous)
            self._insert(image, overlay, OverlayOrigin.CHAT, style)
            added.append(overlay.overlay_id)
        if added:
            self.events.overlays.emit(OverlaysChanged(image_id, tuple(added), tuple(removed)))
        return added

    def clear_chat_overlays(self, image_id: str) -> None:
        image = self.image(image_id)
        removed = [i for i, s in image.shown.items() if s.origin is OverlayOrigin.CHAT]
        if removed:
            self._remove(image, removed)
            self.events.overlays.emit(OverlaysChanged(image_id, (), tuple(removed)))

    def _insert(
        self,
        image: OpenImage,
        overlay: Overlay,
        origin: OverlayOrigin,
        style: OverlayStyle | None = None,
    ) -> None:
        style = style or default_style(overlay, self.mask_display)
        image.shown[overlay.overlay_id] = ShownOverlay(overlay, origin, style)

    def _remove(self, image: OpenImage, overlay_ids: Iterable[str]) -> None:
        """Drop shown overlays (the caller announces them in its one ``OverlaysChanged``)."""
        for overlay_id in overlay_ids:
            image.shown.pop(overlay_id, None)

    # ----- overlay style ------------------------------------------------------------------
    def style(self, image_id: str, overlay_id: str) -> OverlayStyle:
        return self._shown(image_id, overlay_id).style

    def set_style(
        self,
        image_id: str,
        overlay_id: str,
        *,
        visible: bool | None = None,
        colour: Colour | None = None,
        opacity: float | None = None,
        mask_display: MaskDisplay | None = None,
    ) -> OverlayStyle:
        """Change how one overlay is drawn (None: leave that part as it is)."""
        shown = self._shown(image_id, overlay_id)
        style = shown.style.changed(
            visible=visible, colour=colour, opacity=opacity, mask_display=mask_display
        )
        if style != shown.style:
            shown.style = style
            self.events.style.emit(StyleChanged(image_id, overlay_id, style))
        return style

    def set_mask_display(self, mask_display: MaskDisplay) -> None:
        """Fill/outline for every mask of every image, and for masks still to come."""
        self.mask_display = mask_display
        for image in self.images.values():
            for overlay_id in image.shown:
                self.set_style(image.image_id, overlay_id, mask_display=mask_display)

    def _shown(self, image_id: str, overlay_id: str) -> ShownOverlay:
        image = self.image(image_id)
        resolved = image.resolve(overlay_id)
        if resolved is None:
            raise ValidationError(f"no overlay {overlay_id!r} is shown for {image.title}")
        return image.shown[resolved]

    # ----- phrase selection and hover -----------------------------------------------------
    def select_phrase(self, image_id: str, phrase: Phrase) -> PhraseSelected:
        """The user picked ``phrase``: its shown regions flash and the views go to them."""
        image = self.image(image_id)
        resolved = (image.resolve(i) for i in phrase.overlay_ids)
        ids = tuple(dict.fromkeys(i for i in resolved if i is not None))
        event = PhraseSelected(image_id, phrase.target, ids)
        self.events.phrase_selected.emit(event)
        return event

    def set_hovered(self, image_id: str, overlay_id: str | None) -> None:
        self.events.hover.emit(HoverChanged(image_id, overlay_id))

    # ----- viewing ----------------------------------------------------------------------
    def set_window(self, image_id: str, window: WindowLevel, inverted: bool | None = None) -> None:
        view = self.image(image_id).view_state
        inverted = view.inverted if inverted is None else inverted
        if (window, inverted) == (view.window, view.inverted):
            return
        view.window, view.inverted = window, inverted
        self.events.window.emit(WindowChanged(image_id, window, inverted))

    def set_slice(self, image_id: str, view_name: str, index: int) -> None:
        view = self.image(image_id).view_state
        if view.slices.get(view_name) == index:
            return
        view.slices[view_name] = index
        self.events.slice.emit(SliceChanged(image_id, view_name, index))

    def set_crosshair(self, image_id: str, point: Point | None) -> None:
        view = self.image(image_id).view_state
        point = None if point is None else (float(point[0]), float(point[1]), float(point[2]))
        if view.crosshair == point:
            return
        view.crosshair = point
        self.events.crosshair.emit(CrosshairChanged(image_id, point))

    def reset_view(self, image_id: str) -> None:
        """Window, inversion and crosshair as the image opened; the views refit their cameras."""
        image = self.image(image_id)
        self.set_crosshair(image_id, None)
        self.set_window(image_id, image.volume.display_window, image.volume.invert_for_display)
        self.events.view_reset.emit(ViewReset(image_id))

    def set_maximized(self, view_name: str | None) -> None:
        if view_name == self.maximized:
            return
        self.maximized = view_name
        self.events.layout.emit(LayoutChanged(view_name))

    # ----- measurements -------------------------------------------------------------------
    def add_measurement(self, image_id: str, measurement: Measurement) -> Measurement:
        image = self.image(image_id)
        image.measurements[measurement.measurement_id] = measurement
        self.events.measurements.emit(
            MeasurementsChanged(image_id, measurement.measurement_id, Change.ADDED)
        )
        return measurement

    def update_measurement(self, image_id: str, measurement: Measurement) -> None:
        image = self.image(image_id)
        if measurement.measurement_id not in image.measurements:
            raise ValidationError(f"no measurement {measurement.measurement_id!r} on {image.title}")
        image.measurements[measurement.measurement_id] = measurement
        self.events.measurements.emit(
            MeasurementsChanged(image_id, measurement.measurement_id, Change.CHANGED)
        )

    def remove_measurement(self, image_id: str, measurement_id: str) -> None:
        image = self.image(image_id)
        if image.measurements.pop(measurement_id, None) is not None:
            self.events.measurements.emit(
                MeasurementsChanged(image_id, measurement_id, Change.REMOVED)
            )
