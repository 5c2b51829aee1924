"""``SliceView``: one axial/coronal/sagittal (or radiograph) view with the viewer's mouse habits.

Wheel: slice scroll (zoom on one-slice images). Left drag: window/level. Ctrl+left drag:
automatic window over the dragged region. Right drag: zoom. Middle drag: pan.
Shift+move: linked crosshair. Double-click: maximise/restore. Arrows, b/f: scroll; r: reset.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from vividmed_viewer.core.cursor_position import format_cursor_position
from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlay_style import OverlayStyle
from vividmed_viewer.core.overlays import BoxOverlay, Overlay
from vividmed_viewer.core.window import WindowLevel, percentile_window
from vividmed_viewer.render.slice_overlays import overlay_contains
from vividmed_viewer.render.slice_scene import SliceScene
from vividmed_viewer.ui.views.canvas_tool import CanvasTool
from vividmed_viewer.ui.views.cursor_info import CursorInfo
from vividmed_viewer.ui.views.render_pacing import render_pacer
from vividmed_viewer.ui.views.vtk_canvas import VtkCanvas

WINDOW_DRAG_PIXELS = 256.0  # a drag this long changes the width/level by one window width
ZOOM_DRAG_PIXELS = 120.0  # a drag this long zooms by e
SCROLL_KEYS = {
    Qt.Key.Key_Up: 1,
    Qt.Key.Key_Right: 1,
    Qt.Key.Key_F: 1,
    Qt.Key.Key_Down: -1,
    Qt.Key.Key_Left: -1,
    Qt.Key.Key_B: -1,
}


@dataclass
class _Drag:
    """A drag in progress: the button, where it started and what it started from."""

    mode: str  # "window", "auto_window", "zoom", "pan"
    start: QPointF
    last: QPointF
    window: WindowLevel
    parallel_scale: float


class SliceView(QWidget):
    """A VTK slice scene in a Qt widget, with the viewer's own mouse and keyboard handling."""

    cursor_moved = Signal(object)  # CursorInfo | None
    overlay_hovered = Signal(object)  # overlay id | None
    window_changed = Signal(object)  # WindowLevel
    slice_changed = Signal(str, int)
    crosshair_moved = Signal(object)  # LPS point (numpy array)
    maximize_requested = Signal(str)
    reset_requested = Signal()  # the r key: the viewer resets window, crosshair and camera
    activated = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.scene = SliceScene(name)
        self.canvas = VtkCanvas(self, self)
        self.render_window = self.canvas.GetRenderWindow()
        self.render_window.AddRenderer(self.scene.renderer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.setMinimumSize(64, 64)
        self.canvas.Initialize()
        self.overlays: list[Overlay] = []
        self.hovered: str | None = None
        self.fit_on_resize = True
        self._drag: _Drag | None = None
        self.tool: CanvasTool | None = None  # a measurement tool, while one is chosen
        self._mouse_at: QPointF | None = None  # for the read-out when slices change under it

    # ----- state ---------------------------------------------------------------------------
    @property
    def volume(self) -> ImageVolume | None:
        return self.scene.volume

    def set_volume(self, volume: ImageVolume, render: bool = True) -> None:
        """Show ``volume`` (``render=False``: the caller renders once when it is done)."""
        self.scene.set_volume(volume)
        self.fit_on_resize = True
        if render:
            self.redraw()

    def clear(self) -> None:
        self.scene.clear()
        self.overlays = []
        self.redraw()

    def set_overlays(
        self,
        overlays: list[Overlay],
        styles: Mapping[str, OverlayStyle] | None = None,
        render: bool = True,
    ) -> None:
        """Show these overlays in their styles; those already shown keep their actors."""
        self.overlays = list(overlays)
        self.scene.set_overlays(self.overlays, styles)
        if render:
            self.redraw()

    def set_slice(self, index: int) -> None:
        before = self.scene.slice_index
        shown = self.scene.set_slice(index)
        if shown != before:
            self.slice_changed.emit(self.name, shown)
            self._refresh_readout()
        self.redraw()

    def _refresh_readout(self) -> None:
        """The slice under a still mouse changed (wheel, keys): read the new voxel out."""
        if self._mouse_at is not None and self._drag is None and self.underMouse():
            self.cursor_moved.emit(self.cursor_at(self._mouse_at))

    def scroll_slices(self, step: int) -> None:
        self.set_slice(self.scene.slice_index + step)

    def set_window(self, window: WindowLevel) -> None:
        self.scene.set_window(window)
        self.redraw()

    def reset_view(self) -> None:
        self.scene.reset_camera()
        self.fit_on_resize = True
        self.redraw()

    def center_on(self, point: np.ndarray | tuple[float, float, float]) -> None:
        """Go to the slice through an LPS point and centre the view on it."""
        before = self.scene.slice_index
        self.scene.center_on(point)
        self.fit_on_resize = False
        if self.scene.slice_index != before:
            self.slice_changed.emit(self.name, self.scene.slice_index)
        self.redraw()

    def redraw(self) -> None:
        """Render this view's window now (when shown)."""
        render_pacer().cancel(self)
        if self.isVisible():
            self.render_window.Render()

    def schedule_redraw(self) -> None:
        """Render from the event loop; requests made before it runs share one render (and a
        direct :meth:`redraw` meanwhile cancels it)."""
        render_pacer().request(self, self.redraw)

    # ----- coordinates ---------------------------------------------------------------------
    def to_display(self, position: QPointF) -> tuple[float, float]:
        """Qt widget position (top-left origin) → VTK display pixel (bottom-left origin)."""
        ratio = self.canvas.devicePixelRatioF()
        return position.x() * ratio, (self.canvas.height() - position.y() - 1) * ratio

    def from_index(self, index: tuple[float, float, float]) -> QPointF:
        """Qt widget position of a voxel (z, y, x) in this view's plane."""
        x, y = self.scene.index_to_display(index)
        ratio = self.canvas.devicePixelRatioF()
        return QPointF(x / ratio, self.canvas.height() - 1 - y / ratio)

    def cursor_at(self, position: QPointF) -> CursorInfo | None:
        volume = self.scene.volume
        index = self.scene.display_to_index(*self.to_display(position))
        if volume is None or index is None:
            return None
        patient = volume.index_to_patient(index)
        return CursorInfo(
            view=self.name,
            index=index,
            patient=(float(patient[0]), float(patient[1]), float(patient[2])),
            value=volume.value_at(index),
            units=volume.value_units,
            position=format_cursor_position(volume, index),
        )

    def overlay_at(self, index: tuple[int, int, int]) -> str | None:
        """The visible overlay under voxel ``index``: the smallest region that holds it.

        A point inside the heart is also inside a chest-wide box or a coarse lung mask;
        the most specific region is the one the reader points at.
        """
        volume = self.scene.volume
        if volume is None:
            return None
        point = np.asarray(index, dtype=float)
        holding = []
        for overlay in self.overlays:
            item = self.scene.overlays.get(overlay.overlay_id)
            if item is not None and not item.style.visible:
                continue
            if overlay_contains(overlay, volume.geometry, point):
                holding.append(overlay)
        if not holding:
            return None
        return min(holding, key=region_size).overlay_id

    # ----- canvas events -------------------------------------------------------------------
    def canvas_mouse_press(self, event: QMouseEvent) -> None:
        self.activated.emit(self.name)
        if self.tool is not None and self.tool.mouse_press(self, event):
            return
        button, modifiers = event.button(), event.modifiers()
        mode = {
            Qt.MouseButton.LeftButton: "window",
            Qt.MouseButton.RightButton: "zoom",
            Qt.MouseButton.MiddleButton: "pan",
        }.get(button)
        if mode is None or self.scene.volume is None:
            return
        if mode == "window" and modifiers & Qt.KeyboardModifier.ControlModifier:
            mode = "auto_window"
        camera = self.scene.renderer.GetActiveCamera()
        position = event.position()
        self._drag = _Drag(mode, position, position, self.scene.window, camera.GetParallelScale())

    def canvas_mouse_move(self, event: QMouseEvent) -> None:
        position = event.position()
        if self.tool is not None and self.tool.mouse_move(self, event):
            return
        if self._drag is not None:
            self._continue_drag(self._drag, position)
            self._drag.last = position
            return
        self._mouse_at = position
        info = self.cursor_at(position)
        self.cursor_moved.emit(info)
        hovered = self.overlay_at(info.index) if info is not None else None
        if hovered != self.hovered:
            self.hovered = hovered
            self.overlay_hovered.emit(hovered)
        if info is not None and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.crosshair_moved.emit(np.asarray(info.patient))

    def _continue_drag(self, drag: _Drag, position: QPointF) -> None:
        dx, dy = position.x() - drag.start.x(), position.y() - drag.start.y()
        if drag.mode == "window":
            width = max(
                drag.window.width / 100.0, drag.window.width * (1.0 + dx / WINDOW_DRAG_PIXELS)
            )
            center = drag.window.center - dy * drag.window.width / WINDOW_DRAG_PIXELS
            self.scene.set_window(WindowLevel(center, width))
            self.window_changed.emit(self.scene.window)
        elif drag.mode == "zoom":
            camera = self.scene.renderer.GetActiveCamera()
            camera.SetParallelScale(drag.parallel_scale * math.exp(dy / ZOOM_DRAG_PIXELS))
            self.fit_on_resize = False
        elif drag.mode == "pan":
            step = self.scene.mm_per_pixel() * self.canvas.devicePixelRatioF()
            delta_x, delta_y = position.x() - drag.last.x(), position.y() - drag.last.y()
            self.scene.pan(-delta_x * step, delta_y * step)
            self.fit_on_resize = False
        self.redraw()

    def canvas_mouse_release(self, event: QMouseEvent) -> None:
        if self.tool is not None and self.tool.mouse_release(self, event):
            return
        drag, self._drag = self._drag, None
        if drag is not None and drag.mode == "auto_window":
            window = self.region_window(drag.start, event.position())
            if window is not None:
                self.scene.set_window(window)
                self.window_changed.emit(window)
                self.redraw()

    def region_window(self, corner_a: QPointF, corner_b: QPointF) -> WindowLevel | None:
        """The percentile window of the slice pixels inside a dragged rectangle."""
        scene = self.scene
        if scene.volume is None or scene.axes is None:
            return None
        (u_a, v_a), (u_b, v_b) = (
            scene.display_to_plane(*self.to_display(corner)) for corner in (corner_a, corner_b)
        )
        spacing_u, spacing_v = scene.axes.pixel_spacing
        width, height = scene.axes.image_size
        columns = np.clip(np.rint(sorted((u_a / spacing_u, u_b / spacing_u))), 0, width - 1)
        rows = np.clip(np.rint(sorted((v_a / spacing_v, v_b / spacing_v))), 0, height - 1)
        plane = scene.axes.extract(scene.volume.voxels, scene.slice_index)
        region = plane[int(rows[0]) : int(rows[1]) + 1, int(columns[0]) : int(columns[1]) + 1]
        if region.size < 2:
            return None
        return percentile_window(region, 1.0, 99.0)

    def canvas_double_click(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.maximize_requested.emit(self.name)

    def canvas_wheel(self, event: QWheelEvent) -> None:
        self.activated.emit(self.name)
        steps = event.angleDelta().y() / 120.0
        if steps == 0:
            return
        if self.scene.slice_count <= 1:
            self.scene.zoom(1.1**steps)
            self.fit_on_resize = False
            self.redraw()
            return
        self.scroll_slices(int(math.copysign(max(1, round(abs(steps))), steps)))

    def canvas_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in SCROLL_KEYS and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.scroll_slices(SCROLL_KEYS[Qt.Key(key)])
            return True
        if key == Qt.Key.Key_R:
            self.reset_requested.emit()
            return True
        return False

    def canvas_leave(self) -> None:
        self._mouse_at = None
        self.cursor_moved.emit(None)
        if self.hovered is not None:
            self.hovered = None
            self.overlay_hovered.emit(None)

    def canvas_resized(self) -> None:
        if self.fit_on_resize:
            self.scene.reset_camera()


def region_size(overlay: Overlay) -> float:
    """Voxels a region covers (a box overlay: its boxes' volumes), to rank nested regions."""
    if isinstance(overlay, BoxOverlay):
        return float(
            sum(np.prod(np.asarray(b.maximum) - np.asarray(b.minimum) + 1) for b in overlay.boxes)
        )
    return float(overlay.voxel_count)


def check_view_name(name: str, names: list[str]) -> str:
    """``name`` when it is one of ``names``; a clear error otherwise."""
    if name not in names:
        raise ValidationError(f"unknown view {name!r} (expected one of {', '.join(names)})")
    return name
