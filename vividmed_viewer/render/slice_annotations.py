"""2D annotations of a slice view: orientation letters, a scale bar and a corner text."""

from __future__ import annotations

import math

from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
    vtkTextProperty,
)

from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)

LETTER_POSITIONS = {
    # edge → (normalised viewport x, y, horizontal justification, vertical justification)
    "left": (0.01, 0.5, "left", "centered"),
    "right": (0.99, 0.5, "right", "centered"),
    "top": (0.5, 0.99, "centered", "top"),
    "bottom": (0.5, 0.01, "centered", "bottom"),
}
ANNOTATION_COLOUR = (1.0, 0.85, 0.3)


def _text_actor(font_size: int) -> vtkTextActor:
    actor = vtkTextActor()
    actor.SetTextScaleModeToNone()
    props = actor.GetTextProperty()
    props.SetFontSize(font_size)
    props.SetColor(*ANNOTATION_COLOUR)
    props.SetBold(True)
    props.ShadowOn()
    actor.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    return actor


def _justify(props: vtkTextProperty, horizontal: str, vertical: str) -> None:
    {"left": props.SetJustificationToLeft, "right": props.SetJustificationToRight}.get(
        horizontal, props.SetJustificationToCentered
    )()
    {
        "top": props.SetVerticalJustificationToTop,
        "bottom": props.SetVerticalJustificationToBottom,
    }.get(vertical, props.SetVerticalJustificationToCentered)()


class OrientationLetters:
    """Four letters (e.g. R, L, A, P) at the view's edges."""

    def __init__(self, renderer: vtkRenderer, font_size: int = 16) -> None:
        self.actors: dict[str, vtkTextActor] = {}
        for edge, (x, y, horizontal, vertical) in LETTER_POSITIONS.items():
            actor = _text_actor(font_size)
            _justify(actor.GetTextProperty(), horizontal, vertical)
            actor.SetPosition(x, y)
            actor.SetVisibility(False)
            renderer.AddViewProp(actor)
            self.actors[edge] = actor

    def set_letters(self, letters: dict[str, str] | None) -> None:
        for edge, actor in self.actors.items():
            text = (letters or {}).get(edge, "")
            actor.SetInput(text)
            actor.SetVisibility(bool(text))

    def text(self, edge: str) -> str:
        return str(self.actors[edge].GetInput() or "")


class CornerText:
    """A text in the lower-left corner (slice number, window)."""

    def __init__(self, renderer: vtkRenderer, font_size: int = 12) -> None:
        self.actor = _text_actor(font_size)
        _justify(self.actor.GetTextProperty(), "left", "bottom")
        self.actor.SetPosition(0.01, 0.01)
        self.actor.GetTextProperty().SetBold(False)
        renderer.AddViewProp(self.actor)

    def set_text(self, text: str) -> None:
        self.actor.SetInput(text)


def nice_length(limit: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``limit`` (> 0)."""
    exponent = math.floor(math.log10(limit))
    for mantissa in (5.0, 2.0, 1.0):
        value = mantissa * 10.0**exponent
        if value <= limit:
            return value
    return 10.0**exponent


class ScaleBar:
    """A horizontal bar in the lower-right corner with its length in mm; follows zoom."""

    def __init__(self, renderer: vtkRenderer) -> None:
        self.renderer = renderer
        self.points = vtkPoints()
        self.points.SetNumberOfPoints(6)
        lines = vtkCellArray()
        for a, b in ((0, 1), (0, 2), (1, 3)):
            lines.InsertNextCell(2)
            lines.InsertCellPoint(a)
            lines.InsertCellPoint(b)
        self.polydata = vtkPolyData()
        self.polydata.SetPoints(self.points)
        self.polydata.SetLines(lines)
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.polydata)
        self.bar = vtkActor2D()
        self.bar.SetMapper(mapper)
        self.bar.GetProperty().SetColor(*ANNOTATION_COLOUR)
        self.bar.GetProperty().SetLineWidth(2)
        self.label = vtkTextActor()
        self.label.SetTextScaleModeToNone()
        self.label.GetTextProperty().SetFontSize(12)
        self.label.GetTextProperty().SetColor(*ANNOTATION_COLOUR)
        self.label.GetTextProperty().SetJustificationToRight()
        self.length_mm = 0.0
        self.set_visible(False)
        renderer.AddViewProp(self.bar)
        renderer.AddViewProp(self.label)

    def set_visible(self, visible: bool) -> None:
        self.bar.SetVisibility(visible)
        self.label.SetVisibility(visible)

    def update(self, mm_per_pixel: float) -> None:
        """Fit the bar to a quarter of the viewport width at the current zoom."""
        width, _ = self.renderer.GetSize()
        if width <= 0 or mm_per_pixel <= 0:
            return
        self.length_mm = nice_length(0.25 * width * mm_per_pixel)
        length_px = self.length_mm / mm_per_pixel
        right, bottom = width - 12.0, 12.0
        left = right - length_px
        for i, (x, y) in enumerate(
            [(left, bottom), (right, bottom), (left, bottom + 6), (right, bottom + 6)]
        ):
            self.points.SetPoint(i, x, y, 0.0)
        self.points.SetPoint(4, left, bottom, 0.0)
        self.points.SetPoint(5, right, bottom, 0.0)
        self.points.Modified()
        self.label.SetInput(f"{self.length_mm:g} mm")
        self.label.SetPosition(right, bottom + 8)
