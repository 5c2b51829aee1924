"""``ImageViewer``: the centre of the main window — one 2D view, or axial/coronal/sagittal + 3D.

The views share window/level, overlays and their styles; a highlighted overlay flashes in
every view and every slice view moves to its centre.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget
from vtkmodules.util import numpy_support
from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlays import Colour, Overlay
from vividmed_viewer.core.window import WINDOW_PRESETS, WindowLevel
from vividmed_viewer.render.offscreen import save_png
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
    """Slice views plus a 3D view; the one class the main window talks to."""

    cursor_info_changed = Signal(object)  # CursorInfo | None
    overlay_hovered = Signal(object)  # overlay id | None
    window_changed = Signal(object)  # WindowLevel
    slice_changed = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.volume: ImageVolume | None = None
        self.overlays: dict[str, Overlay] = {}
        self.window_level: WindowLevel | None = None
        self.inverted = False
        self.active_view = "axial"
        self.maximized: str | None = None
        self.highlighted: str | None = None
        self.flash_timer = QTimer(self)
        self.flash_timer.setInterval(FLASH_BLINK_MS)
        self.flash_timer.timeout.connect(self._blink)
        self.flash_ticks_left = 0
        self._show_layout()

    def _connect(self, view: SliceView) -> None:
        view.cursor_moved.connect(self._on_cursor)
        view.overlay_hovered.connect(self.overlay_hovered.emit)
        view.slice_changed.connect(self.slice_changed.emit)
        view.window_changed.connect(self._on_view_window)
        view.crosshair_moved.connect(self.set_crosshair)
        view.maximize_requested.connect(self._toggle_maximize)
        view.activated.connect(self._set_active)

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
        self.maximized = None if view is None else check_view_name(view, list(self.views))
        self._show_layout()

    def _toggle_maximize(self, view: str) -> None:
        self.maximize(None if self.maximized == view else view)

    def _set_active(self, view: str) -> None:
        self.active_view = view

    def _on_cursor(self, info: CursorInfo | None) -> None:
        """Pass the read-out on; the view under the cursor becomes the one keys scroll."""
        if info is not None:
            self.active_view = info.view
        self.cursor_info_changed.emit(info)

    # ----- image ---------------------------------------------------------------------------
    def set_volume(self, volume: ImageVolume) -> None:
        """Show a volume: one 2D view for one-slice images, else the 2×2 layout.

        Every view gets the volume now and renders from the event loop, each in its own
        callback (so no single stall is long): the slice views first, then the 3D view, whose
        first render is the slow one.
        """
        self.volume = volume
        self.overlays = {}
        self.highlighted = None
        self.flash_timer.stop()
        self.window_level = volume.display_window
        self.inverted = volume.invert_for_display
        self.maximized = None
        shown = self.visible_view_names()
        for name, view in self.slice_views.items():
            if name in shown:
                view.set_volume(volume, render=False)
                view.set_overlays([], render=False)
            else:
                view.clear()
        if hasattr(self.volume_view, "set_volume"):
            if volume.is_2d:
                self.volume_view.clear()
            else:
                self.volume_view.set_volume(volume, render=False)
        self._show_layout()
        if hasattr(self.volume_view, "schedule_redraw") and not volume.is_2d:
            self.volume_view.schedule_redraw()  # after the slice views: their images come first
        self.window_changed.emit(self.window_level)
        for name in shown:
            if name in self.slice_views:
                self.slice_changed.emit(name, self.slice_views[name].scene.slice_index)

    def clear(self) -> None:
        """Remove the image and its overlays from every view."""
        self.volume = None
        self.overlays = {}
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
    def set_overlays(self, overlays: list[Overlay]) -> None:
        """Show these overlays (each in its own colour) in every view."""
        self.flash_timer.stop()
        self.overlays = {o.overlay_id: o for o in overlays}
        self.highlighted = None
        for view in self._shown_slice_views():
            # incremental: shown overlays keep their actors; each view renders once, later
            view.set_overlays(list(overlays), render=False)
            view.schedule_redraw()
        if hasattr(self.volume_view, "set_overlays") and self.volume is not None:
            self.volume_view.set_overlays(list(overlays) if not self.volume.is_2d else [])

    def set_overlay_style(
        self,
        overlay_id: str,
        visible: bool | None = None,
        colour: Colour | None = None,
        opacity: float | None = None,
    ) -> None:
        """Change an overlay's visibility, colour or opacity in every view."""
        self._check_overlay(overlay_id)
        for view in self._shown_slice_views():
            view.scene.set_overlay_style(overlay_id, visible, colour, opacity)
            view.redraw()
        style: dict[str, Any] = {
            k: v
            for k, v in (("visible", visible), ("colour", colour), ("opacity", opacity))
            if v is not None
        }
        self._call_volume_view("set_overlay_style", overlay_id, **style)

    def set_mask_display(self, mode: str) -> None:
        """Masks as ``"fill"``, ``"outline"`` or ``"both"`` in the slice views."""
        for view in self.slice_views.values():
            view.scene.set_mask_display(mode)
            view.redraw()

    def _check_overlay(self, overlay_id: str) -> Overlay:
        if overlay_id not in self.overlays:
            raise ValidationError(f"no overlay {overlay_id!r} is shown in the viewer")
        return self.overlays[overlay_id]

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
        for view in self._shown_slice_views():
            view.scene.set_highlight(None)
            view.redraw()

    def center_on(self, point: NDArray[np.float64] | tuple[float, float, float]) -> None:
        """Move every slice view to the slice through an LPS point, centred on it."""
        for view in self._shown_slice_views():
            view.center_on(point)

    def set_crosshair(self, point: NDArray[np.float64] | None) -> None:
        """Linked crosshair: every slice view goes to the point's slice and marks it."""
        for view in self._shown_slice_views():
            if point is not None and view.scene.slice_count > 1:
                _, _, slice_position = view.scene.patient_to_plane(np.asarray(point))
                view.set_slice(round(slice_position))
            view.scene.set_crosshair(point)
            view.redraw()

    # ----- window and navigation -----------------------------------------------------------
    def set_window(self, window: WindowLevel) -> None:
        self.window_level = window
        for view in self.slice_views.values():
            view.set_window(window)
        self.window_changed.emit(window)

    def _on_view_window(self, window: WindowLevel) -> None:
        self.window_level = window
        for view in self._shown_slice_views():
            if view.scene.window != window:
                view.set_window(window)
        self.window_changed.emit(window)

    def apply_preset(self, name: str) -> None:
        """Apply a window preset by name (see core WINDOW_PRESETS)."""
        if name not in WINDOW_PRESETS:
            raise ValidationError(
                f"unknown window preset {name!r} (expected one of {', '.join(WINDOW_PRESETS)})"
            )
        self.set_window(WINDOW_PRESETS[name])

    def toggle_invert(self) -> None:
        self.inverted = not self.inverted
        for view in self.slice_views.values():
            view.scene.set_invert(self.inverted)
            view.redraw()

    def reset_view(self) -> None:
        for view in self._shown_slice_views():
            view.scene.set_crosshair(None)
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
            grabber = vtkWindowToImageFilter()
            grabber.SetInput(render_window)
            grabber.SetInputBufferTypeToRGB()
            grabber.ReadFrontBufferOff()
            grabber.Update()
            image = grabber.GetOutput()
            width, height, _ = image.GetDimensions()
            pixels = numpy_support.vtk_to_numpy(image.GetPointData().GetScalars())
            pixels = pixels.reshape(height, width, -1)[::-1, :, :3]
            top, left = round(view.y() * ratio), round(view.x() * ratio)
            rows = min(height, frame.shape[0] - top)
            columns = min(width, frame.shape[1] - left)
            frame[top : top + rows, left : left + columns] = pixels[:rows, :columns]
        return frame

    def save_screenshot(self, path: str | Path) -> Path:
        """Save the visible views as a PNG file; returns its path."""
        return save_png(self.grab_frame(), path)
