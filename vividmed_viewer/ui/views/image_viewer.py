"""``ImageViewer``: the centre of the main window — one 2D view, or axial/coronal/sagittal + 3D.

It shows the session's active image (:mod:`vividmed_viewer.core.session`) and holds no
copy of what the session knows: window/level, slices, crosshair, layout, overlays and
their styles are read from the session and every view change goes back to it. The
session's events drive the views: ``phrase_selected`` flashes a phrase's regions in every
view and moves each slice view to the first one's centre (:meth:`ImageViewer.highlight`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.open_image import OpenImage
from vividmed_viewer.core.overlay_style import MaskDisplay, OverlayStyle
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import (
    ActiveImageChanged,
    CrosshairChanged,
    LayoutChanged,
    OverlaysChanged,
    PhraseSelected,
    SliceChanged,
    StyleChanged,
    ViewReset,
    WindowChanged,
)
from vividmed_viewer.core.window import WINDOW_PRESETS, WindowLevel
from vividmed_viewer.render.offscreen import read_frame, save_png
from vividmed_viewer.ui.views.cursor_info import CursorInfo
from vividmed_viewer.ui.views.slice_view import SliceView, check_view_name

logger = logging.getLogger(__name__)

SLICE_VIEWS = ("axial", "coronal", "sagittal")
GRID_POSITIONS = {"axial": (0, 0), "coronal": (0, 1), "sagittal": (1, 0), "3d": (1, 1)}
FLASH_MS = 1500
FLASH_BLINK_MS = 250  # the highlight blinks on/off at this period while it flashes

__all__ = ["CursorInfo", "ImageViewer"]


def _make_volume_view(parent: QWidget) -> QWidget:
    """The 3D view, or a labelled placeholder when it cannot be built here."""
    try:
        from vividmed_viewer.ui.views.volume_view import VolumeView
    except ImportError as error:
        logger.warning("3D view unavailable: %s", error)
        placeholder = QLabel("3D view unavailable", parent)
        placeholder.setStyleSheet("background: black; color: grey;")
        return placeholder
    view: QWidget = VolumeView(parent)
    return view


class ImageViewer(QWidget):
    """Slice views plus a 3D view showing ``session.active``; the session drives them."""

    cursor_info_changed = Signal(object)  # CursorInfo | None (transient: not session state)

    def __init__(self, session: Session | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session if session is not None else Session()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        self.slice_views: dict[str, SliceView] = {}
        for name in SLICE_VIEWS:
            view = SliceView(name, self)
            self._connect(view)
            self.slice_views[name] = view
            self.grid.addWidget(view, *GRID_POSITIONS[name])
        self.volume_view: Any = _make_volume_view(self)
        self.grid.addWidget(self.volume_view, *GRID_POSITIONS["3d"])
        self.views: dict[str, QWidget] = {**self.slice_views, "3d": self.volume_view}
        self.shown_image: OpenImage | None = None  # the image the views were last given
        self.active_view = "axial"
        self.highlighted: str | None = None
        self.flash_timer = QTimer(self)
        self.flash_timer.setInterval(FLASH_BLINK_MS)
        self.flash_timer.timeout.connect(self._blink)
        self.flash_ticks_left = 0
        self._subscribe()
        self._show_layout()

    def _connect(self, view: SliceView) -> None:
        view.cursor_moved.connect(self._on_cursor)
        view.overlay_hovered.connect(self._on_hover)
        view.slice_changed.connect(self._on_view_slice)
        view.window_changed.connect(self.set_window)
        view.crosshair_moved.connect(self.set_crosshair)
        view.maximize_requested.connect(self._toggle_maximize)
        view.reset_requested.connect(self.reset_view)
        view.activated.connect(self._set_active)

    def _subscribe(self) -> None:
        events = self.session.events
        events.active_image.connect(self._on_active_image)
        events.overlays.connect(self._on_overlays)
        events.style.connect(self._on_style)
        events.phrase_selected.connect(self._on_phrase_selected)
        events.window.connect(self._on_window)
        events.slice.connect(self._on_slice)
        events.crosshair.connect(self._on_crosshair)
        events.view_reset.connect(self._on_view_reset)
        events.layout.connect(self._on_layout)

    # ----- what the session says is shown --------------------------------------------------
    @property
    def image(self) -> OpenImage | None:
        return self.session.active

    @property
    def volume(self) -> ImageVolume | None:
        image = self.session.active
        return image.volume if image is not None else None

    @property
    def overlays(self) -> dict[str, Overlay]:
        image = self.session.active
        return {} if image is None else {i: s.overlay for i, s in image.shown.items()}

    @property
    def window_level(self) -> WindowLevel | None:
        image = self.session.active
        return image.view_state.window if image is not None else None

    @property
    def inverted(self) -> bool:
        image = self.session.active
        return image.view_state.inverted if image is not None else False

    @property
    def maximized(self) -> str | None:
        return self.session.maximized

    def _styles(self) -> dict[str, OverlayStyle]:
        image = self.session.active
        return {} if image is None else {i: s.style for i, s in image.shown.items()}

    def _is_active(self, image_id: str) -> bool:
        return self.session.active_id == image_id and self.shown_image is not None

    # ----- layout ------------------------------------------------------------------------
    def visible_view_names(self) -> list[str]:
        if self.maximized is not None:
            return [self.maximized]
        if self.volume is not None and self.volume.is_2d:
            return ["axial"]
        return [*SLICE_VIEWS, "3d"]

    def _show_layout(self) -> None:
        """Show the views of the layout; each slice view renders from the event loop, once."""
        shown = set(self.visible_view_names())
        for name, view in self.views.items():
            view.setVisible(name in shown)
        for view in self.slice_views.values():
            view.schedule_redraw()

    def maximize(self, view: str | None) -> None:
        """Show only ``view`` (None: restore the layout)."""
        name = None if view is None else check_view_name(view, list(self.views))
        self.session.set_maximized(name)

    def _toggle_maximize(self, view: str) -> None:
        self.maximize(None if self.maximized == view else view)

    def _on_layout(self, _event: LayoutChanged) -> None:
        self._show_layout()

    def _set_active(self, view: str) -> None:
        self.active_view = view

    def _on_cursor(self, info: CursorInfo | None) -> None:
        """Pass the read-out on; the view under the cursor becomes the one keys scroll."""
        if info is not None:
            self.active_view = info.view
        self.cursor_info_changed.emit(info)

    def _on_hover(self, overlay_id: str | None) -> None:
        if self.session.active_id is not None:
            self.session.set_hovered(self.session.active_id, overlay_id)

    # ----- image ---------------------------------------------------------------------------
    def set_volume(self, volume: ImageVolume, source: str = "") -> OpenImage:
        """Open ``volume`` in the session and show it (what the main window's opening does)."""
        return self.session.open_image(volume, source)

    def _on_active_image(self, event: ActiveImageChanged) -> None:
        image = self.session.active
        if image is None:
            self.clear()
            return
        self._show_image(image)

    def _show_image(self, image: OpenImage) -> None:
        """Give every view the image, its overlays, window and slices; render from the loop.

        The slice views render first, each in its own event-loop callback (no single stall
        is long), then the 3D view, whose first render is the slow one.
        """
        volume, state = image.volume, image.view_state
        self.shown_image = image
        self.highlighted = None
        self.flash_timer.stop()
        shown = self.visible_view_names()
        overlays, styles = image.overlays, self._styles()
        for name, view in self.slice_views.items():
            if name not in shown:
                view.clear()
                continue
            view.set_volume(volume, render=False)
            view.scene.set_window(state.window)
            view.scene.set_invert(state.inverted)
            if name in state.slices:
                view.scene.set_slice(state.slices[name])
            view.scene.set_crosshair(state.crosshair)
            view.set_overlays(overlays, styles, render=False)
        if hasattr(self.volume_view, "set_volume"):
            if volume.is_2d:
                self.volume_view.clear()
            else:
                self.volume_view.set_volume(volume, render=False)
                self.volume_view.set_overlays(overlays, styles)
        self._show_layout()
        if hasattr(self.volume_view, "schedule_redraw") and not volume.is_2d:
            self.volume_view.schedule_redraw()  # after the slice views: their images come first
        for name in shown:
            if name in self.slice_views:
                index = self.slice_views[name].scene.slice_index
                self.session.set_slice(image.image_id, name, index)

    def clear(self) -> None:
        """Remove the image and its overlays from every view."""
        self.shown_image = None
        self.highlighted = None
        for view in self.slice_views.values():
            view.clear()
        if hasattr(self.volume_view, "clear"):
            self.volume_view.clear()
        self.cursor_info_changed.emit(None)

    def shutdown(self) -> None:
        """Stop the 3D view's surface workers and release its OpenGL context (on close)."""
        if hasattr(self.volume_view, "shutdown"):
            self.volume_view.shutdown()

    def set_model_running(self, running: bool) -> None:
        """While the model streams regions the 3D pane holds its redraws; one render after."""
        if hasattr(self.volume_view, "set_model_running"):  # (also before a volume opens)
            self.volume_view.set_model_running(running)

    def _call_volume_view(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Forward a call to the 3D view when it is shown (a 3D image) and has the method."""
        if self.volume is None or self.volume.is_2d or not hasattr(self.volume_view, method):
            return
        getattr(self.volume_view, method)(*args, **kwargs)

    def _shown_slice_views(self) -> list[SliceView]:
        return [v for v in self.slice_views.values() if v.scene.volume is not None]

    # ----- overlays ------------------------------------------------------------------------
    def _on_overlays(self, event: OverlaysChanged) -> None:
        """Regions arrived or left: each view updates incrementally and renders once, later."""
        if not self._is_active(event.image_id):
            return
        if self.highlighted in event.removed:
            self._end_flash()
        overlays, styles = list(self.overlays.values()), self._styles()
        for view in self._shown_slice_views():
            view.set_overlays(overlays, styles, render=False)
            view.schedule_redraw()
        self._call_volume_view("set_overlays", overlays, styles)

    def _on_style(self, event: StyleChanged) -> None:
        if not self._is_active(event.image_id):
            return
        for view in self._shown_slice_views():
            view.scene.set_overlay_style(event.overlay_id, event.style)
            view.schedule_redraw()
        self._call_volume_view("set_overlay_style", event.overlay_id, event.style)

    def set_mask_display(self, mode: MaskDisplay) -> None:
        """Masks as ``"fill"``, ``"outline"`` or ``"both"`` (every image, via the session)."""
        self.session.set_mask_display(mode)

    def _check_overlay(self, overlay_id: str) -> Overlay:
        if overlay_id not in self.overlays:
            raise ValidationError(f"no overlay {overlay_id!r} is shown in the viewer")
        return self.overlays[overlay_id]

    def _on_phrase_selected(self, event: PhraseSelected) -> None:
        if self._is_active(event.image_id) and event.overlay_ids:
            self.highlight(event.overlay_ids)

    def highlight(self, overlay_ids: tuple[str, ...] | list[str]) -> None:
        """Flash regions for ~1.5 s; every slice view moves to the first one's centre."""
        for overlay_id in reversed(list(overlay_ids)):  # the first last: views end on it
            self.highlight_overlay(overlay_id)

    def highlight_overlay(self, overlay_id: str) -> None:
        """Flash an overlay for ~1.5 s and move every slice view to its centre."""
        overlay = self._check_overlay(overlay_id)
        self.highlighted = overlay_id
        for view in self._shown_slice_views():
            view.scene.set_highlight(overlay_id)
        self.center_on(overlay.center_patient())
        self._call_volume_view("highlight_overlay", overlay_id)
        self.flash_ticks_left = FLASH_MS // FLASH_BLINK_MS
        self.flash_timer.start()

    def _blink(self) -> None:
        """One flash tick: toggle the highlight; the last tick ends it."""
        self.flash_ticks_left -= 1
        if self.flash_ticks_left <= 0 or self.highlighted is None:
            self.flash_timer.stop()
            self._end_flash()
            return
        shown = None if self.flash_ticks_left % 2 else self.highlighted
        for view in self._shown_slice_views():
            view.scene.set_highlight(shown)
            view.redraw()

    def _end_flash(self) -> None:
        self.highlighted = None
        self.flash_timer.stop()
        for view in self._shown_slice_views():
            view.scene.set_highlight(None)
            view.redraw()

    def center_on(self, point: NDArray[np.float64] | tuple[float, float, float]) -> None:
        """Move every slice view to the slice through an LPS point, centred on it."""
        for view in self._shown_slice_views():
            view.center_on(point)

    # ----- crosshair, window and navigation: changes go to the session ----------------------
    def set_crosshair(self, point: NDArray[np.float64] | None) -> None:
        """Linked crosshair: every slice view goes to the point's slice and marks it."""
        if self.session.active_id is not None:
            value = None if point is None else tuple(float(v) for v in np.asarray(point))
            self.session.set_crosshair(self.session.active_id, value)  # type: ignore[arg-type]

    def _on_crosshair(self, event: CrosshairChanged) -> None:
        if not self._is_active(event.image_id):
            return
        point = None if event.point is None else np.asarray(event.point)
        for view in self._shown_slice_views():
            if point is not None and view.scene.slice_count > 1:
                _, _, slice_position = view.scene.patient_to_plane(point)
                view.set_slice(round(slice_position))
            view.scene.set_crosshair(point)
            view.redraw()

    def set_window(self, window: WindowLevel) -> None:
        if self.session.active_id is not None:
            self.session.set_window(self.session.active_id, window)

    def _on_window(self, event: WindowChanged) -> None:
        if not self._is_active(event.image_id):
            return
        for view in self._shown_slice_views():
            if view.scene.invert != event.inverted:
                view.scene.set_invert(event.inverted)
            if view.scene.window != event.window:
                view.set_window(event.window)
            else:
                view.redraw()

    def _on_view_slice(self, view: str, index: int) -> None:
        if self.session.active_id is not None and self.shown_image is not None:
            self.session.set_slice(self.session.active_id, view, index)

    def _on_slice(self, event: SliceChanged) -> None:
        view = self.slice_views.get(event.view)
        if not self._is_active(event.image_id) or view is None or view.scene.volume is None:
            return
        if view.scene.slice_index != event.index:
            view.set_slice(event.index)

    def apply_preset(self, name: str) -> None:
        """Apply a window preset by name (see core WINDOW_PRESETS)."""
        if name not in WINDOW_PRESETS:
            raise ValidationError(
                f"unknown window preset {name!r} (expected one of {', '.join(WINDOW_PRESETS)})"
            )
        self.set_window(WINDOW_PRESETS[name])

    def toggle_invert(self) -> None:
        image = self.session.active
        if image is not None:
            state = image.view_state
            self.session.set_window(image.image_id, state.window, not state.inverted)

    def reset_view(self) -> None:
        """Window, inversion, crosshair and cameras as the image opened."""
        if self.session.active_id is not None:
            self.session.reset_view(self.session.active_id)

    def _on_view_reset(self, event: ViewReset) -> None:
        if not self._is_active(event.image_id):
            return
        for view in self._shown_slice_views():
            view.reset_view()
        self._call_volume_view("reset_view")

    def scroll(self, step: int) -> None:  # type: ignore[override]
        """Scroll the last active slice view (axial when none was used yet)."""
        view = self.slice_views.get(self.active_view) or self.slice_views["axial"]
        view.scroll_slices(step)

    # ----- screenshot ----------------------------------------------------------------------
    def grab_frame(self) -> NDArray[np.uint8]:
        """The visible views composed as an RGB array (read back from their render windows)."""
        ratio = self.devicePixelRatioF()
        frame = np.zeros((round(self.height() * ratio), round(self.width() * ratio), 3), np.uint8)
        for name in self.visible_view_names():
            view = self.views[name]
            render_window = getattr(view, "render_window", None)
            if render_window is None or not view.isVisible():
                continue
            render_window.Render()
            pixels = read_frame(render_window)
            height, width, _ = pixels.shape
            top, left = round(view.y() * ratio), round(view.x() * ratio)
            rows = min(height, frame.shape[0] - top)
            columns = min(width, frame.shape[1] - left)
            frame[top : top + rows, left : left + columns] = pixels[:rows, :columns]
        return frame

    def save_screenshot(self, path: str | Path) -> Path:
        """Save the visible views as a PNG file; returns its path."""
        return save_png(self.grab_frame(), path)
