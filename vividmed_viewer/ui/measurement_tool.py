"""``MeasurementTool``: draw and edit lengths, angles and ROIs with the mouse on slice views.

A :class:`~vividmed_viewer.ui.views.canvas_tool.CanvasTool` shared by every slice view:

- length, ellipse, rectangle: press the left button at one end (corner), drag, release;
- angle: click one end, the vertex, then the other end (or drag the first arm);
- any tool, Navigate included: press on a measurement's control point (its dot) and drag
  to move that point; the measurement keeps its id and plane;
- Escape cancels what is being drawn or dragged (:class:`EscapeFilter`).

The tool draws nothing itself: what is under way is a draft handed to ``show_draft``
(the features show it in the view's measurement layer); finished measurements go into
the session, whose events bring them to every view and the panel. Other buttons (zoom,
pan) and a left drag away from the dots in Navigate stay with the view.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent

from vividmed_viewer.core.measurements import Measurement, MeasurementKind, Point
from vividmed_viewer.core.session import Session
from vividmed_viewer.ui.views.canvas_tool import ToolCanvas

GRAB_PIXELS = 8.0  # a press this close to a control point grabs it
MIN_DRAG_PIXELS = 3.0  # a shorter drag is a click, not a measurement

DraftSink = Callable[[str, Measurement | None], None]  # (view name, draft or None)


@dataclass
class _Stroke:
    """A measurement being drawn, or a control point of one being moved."""

    view: ToolCanvas
    image_id: str
    slice_axis: int
    slice_value: float  # the plane's index along slice_axis, kept while the mouse moves
    start: QPointF
    points: list[Point]  # placed so far (drawing); all of them (editing)
    draft: Measurement
    grabbed: int | None = None  # the control point being moved (editing)
    original: Measurement | None = None  # the stored measurement being edited


def _distance(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())


class MeasurementTool:
    """Mouse handling for drawing and editing measurements (one for all slice views)."""

    def __init__(self, session: Session, show_draft: DraftSink) -> None:
        self.session = session
        self.show_draft = show_draft
        self.kind: MeasurementKind | None = None  # None: Navigate (editing only)
        self.stroke: _Stroke | None = None

    @property
    def busy(self) -> bool:
        """Whether a measurement is being drawn or edited."""
        return self.stroke is not None

    def set_kind(self, kind: MeasurementKind | None) -> None:
        """Choose what a left drag draws (None: nothing; the view windows and levels)."""
        self.cancel()
        self.kind = kind

    def cancel(self) -> bool:
        """Drop what is under way (nothing is stored); whether there was something."""
        stroke, self.stroke = self.stroke, None
        if stroke is None:
            return False
        self.show_draft(stroke.view.name, None)
        stroke.view.schedule_redraw()
        return True

    # ----- CanvasTool ----------------------------------------------------------------------
    def mouse_press(self, view: ToolCanvas, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        stroke = self.stroke
        if stroke is not None and stroke.view is not view:
            self.cancel()
            stroke = None
        point = self._index_at(view, event.position(), stroke)
        if point is None:
            return stroke is not None
        if stroke is not None:  # an angle's next click
            stroke.points.append(point)
            if len(stroke.points) == 3:
                self._finish(stroke)
            else:
                self._update(stroke, point)
            return True
        if self._grab(view, event.position()):
            return True
        if self.kind is None:
            return False
        image_id = self.session.active_id
        axes = view.scene.axes
        if image_id is None or axes is None:
            return False
        count = 3 if self.kind is MeasurementKind.ANGLE else 2
        draft = Measurement(self.kind, (point,) * count, view=view.name, slice_axis=axes.slice_axis)
        self.stroke = _Stroke(
            view,
            image_id,
            axes.slice_axis,
            point[axes.slice_axis],
            event.position(),
            [point],
            draft,
        )
        self._update(self.stroke, point)
        return True

    def mouse_move(self, view: ToolCanvas, event: QMouseEvent) -> bool:
        stroke = self.stroke
        if stroke is None or stroke.view is not view:
            return False
        point = self._index_at(view, event.position(), stroke)
        if point is not None:
            self._update(stroke, point)
        return True

    def mouse_release(self, view: ToolCanvas, event: QMouseEvent) -> bool:
        stroke = self.stroke
        if event.button() != Qt.MouseButton.LeftButton or stroke is None or stroke.view is not view:
            return False
        dragged = _distance(event.position(), stroke.start) >= MIN_DRAG_PIXELS
        if stroke.grabbed is not None:
            self._finish(stroke)
        elif stroke.draft.kind is MeasurementKind.ANGLE:
            point = self._index_at(view, event.position(), stroke)
            if len(stroke.points) == 1 and dragged and point is not None:
                stroke.points.append(point)  # the first arm was dragged: its end is placed
                self._update(stroke, point)
        elif dragged:
            point = self._index_at(view, event.position(), stroke)
            if point is not None:
                self._update(stroke, point)
            self._finish(stroke)
        else:
            self.cancel()  # a click without a drag measures nothing
        return True

    # ----- helpers -------------------------------------------------------------------------
    def _index_at(
        self, view: ToolCanvas, position: QPointF, stroke: _Stroke | None
    ) -> Point | None:
        """The continuous (z, y, x) index under a widget position, on the stroke's plane
        (or the view's slice), kept inside the image's edges."""
        scene = view.scene
        axes = scene.axes
        active = self.session.active
        if axes is None or scene.volume is None or active is None:
            return None
        if scene.volume is not active.volume:
            return None
        u, v = scene.display_to_plane(*view.to_display(position))
        spacing_u, spacing_v = axes.pixel_spacing
        width, height = axes.image_size
        pixel_u = float(np.clip(u / spacing_u, -0.5, width - 0.5))
        pixel_v = float(np.clip(v / spacing_v, -0.5, height - 0.5))
        index = axes.pixel_to_index(pixel_u, pixel_v, scene.slice_index)
        if stroke is not None:
            index[stroke.slice_axis] = stroke.slice_value
        return (float(index[0]), float(index[1]), float(index[2]))

    def _grab(self, view: ToolCanvas, position: QPointF) -> bool:
        """Start moving the control point nearest ``position`` (within GRAB_PIXELS)."""
        active = self.session.active
        axes = view.scene.axes
        if active is None or axes is None or view.scene.volume is not active.volume:
            return False
        best: tuple[float, Measurement, int] | None = None
        for measurement in active.measurements.values():
            if not measurement.lies_on(axes.slice_axis, view.scene.slice_index):
                continue
            for k, point in enumerate(measurement.points):
                distance = _distance(view.from_index(point), position)
                if distance <= GRAB_PIXELS and (best is None or distance < best[0]):
                    best = (distance, measurement, k)
        if best is None:
            return False
        _, measurement, k = best
        self.stroke = _Stroke(
            view,
            active.image_id,
            measurement.axis,
            measurement.points[0][measurement.axis],
            position,
            list(measurement.points),
            measurement,
            grabbed=k,
            original=measurement,
        )
        self.show_draft(view.name, measurement)
        return True

    def _update(self, stroke: _Stroke, cursor: Point) -> None:
        """Redraw the draft with the cursor as its next (or grabbed) point."""
        points = list(stroke.points)
        if stroke.grabbed is not None:
            points[stroke.grabbed] = cursor
        else:
            count = len(stroke.draft.points)  # the points not placed yet follow the cursor
            points = (points + [cursor] * count)[:count]
        stroke.draft = stroke.draft.moved(tuple(points))
        self.show_draft(stroke.view.name, stroke.draft)
        stroke.view.schedule_redraw()

    def _finish(self, stroke: _Stroke) -> None:
        """Store the drawn or edited measurement in the session."""
        if stroke.grabbed is None and len(stroke.points) == len(stroke.draft.points):
            stroke.draft = stroke.draft.moved(tuple(stroke.points))  # every point was clicked
        self.stroke = None
        self.show_draft(stroke.view.name, None)
        if stroke.image_id in self.session.images:
            if stroke.original is None:
                self.session.add_measurement(stroke.image_id, stroke.draft)
            elif stroke.draft != stroke.original:
                self.session.update_measurement(stroke.image_id, stroke.draft)
        stroke.view.schedule_redraw()


class EscapeFilter(QObject):
    """Escape on a view's canvas: cancel what the tool is drawing, else call ``when_idle``
    (the features go back to Navigate)."""

    def __init__(
        self, tool: MeasurementTool, when_idle: Callable[[], bool], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.tool = tool
        self.when_idle = when_idle

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        if not isinstance(event, QKeyEvent) or event.key() != Qt.Key.Key_Escape:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            if self.tool.busy or self.tool.kind is not None:
                event.accept()  # Escape is ours while a tool is chosen
            return False
        return self.tool.cancel() or self.when_idle()
