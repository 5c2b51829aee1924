"""A QVTKRenderWindowInteractor whose Qt input events go to its owner, not to VTK styles.

The viewer does its own mouse and keyboard handling, so no VTK interactor style fights it.
"""

from __future__ import annotations

from typing import Any, Protocol

import vtkmodules.qt

if vtkmodules.qt.PyQtImpl is None:
    vtkmodules.qt.PyQtImpl = "PySide6"

from PySide6.QtCore import QEvent
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QWidget
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleUser

from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)


class CanvasOwner(Protocol):
    """What a canvas forwards its events to."""

    def canvas_mouse_press(self, event: QMouseEvent) -> None: ...
    def canvas_mouse_move(self, event: QMouseEvent) -> None: ...
    def canvas_mouse_release(self, event: QMouseEvent) -> None: ...
    def canvas_double_click(self, event: QMouseEvent) -> None: ...
    def canvas_wheel(self, event: QWheelEvent) -> None: ...
    def canvas_key(self, event: QKeyEvent) -> bool: ...
    def canvas_leave(self) -> None: ...
    def canvas_resized(self) -> None: ...


class VtkCanvas(QVTKRenderWindowInteractor):
    """The OpenGL widget of one view; input events are handed to ``owner``."""

    def __init__(self, owner: CanvasOwner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.owner = owner
        self.setMouseTracking(True)
        interactor = self.GetRenderWindow().GetInteractor()
        interactor.SetInteractorStyle(vtkInteractorStyleUser())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        self.owner.canvas_mouse_press(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.owner.canvas_mouse_move(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.owner.canvas_mouse_release(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.owner.canvas_double_click(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        self.owner.canvas_wheel(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not self.owner.canvas_key(event):
            event.ignore()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        event.ignore()

    def enterEvent(self, event: Any) -> None:  # noqa: N802
        event.accept()

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802
        self.owner.canvas_leave()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.owner.canvas_resized()
