"""``CanvasTool``: a mouse tool that a slice view hands its events to while it is active.

The measurement tools (length, angle, ellipse and rectangle ROIs) are canvas tools. A
tool returns True when it used the event; the view then skips its own handling (window,
zoom, pan) for it. ``ToolCanvas`` is what a tool may use of the view (a ``SliceView``).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QPointF
from PySide6.QtGui import QMouseEvent

from vividmed_viewer.render.slice_scene import SliceScene


class ToolCanvas(Protocol):
    name: str
    scene: SliceScene

    def to_display(self, position: QPointF) -> tuple[float, float]: ...

    def from_index(self, index: tuple[float, float, float]) -> QPointF: ...

    def redraw(self) -> None: ...

    def schedule_redraw(self) -> None: ...


class CanvasTool(Protocol):
    def mouse_press(self, view: ToolCanvas, event: QMouseEvent) -> bool: ...

    def mouse_move(self, view: ToolCanvas, event: QMouseEvent) -> bool: ...

    def mouse_release(self, view: ToolCanvas, event: QMouseEvent) -> bool: ...
