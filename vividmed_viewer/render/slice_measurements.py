"""Measurements drawn on a slice scene: lines, angles, ellipses and rectangles with values.

Pure VTK (no Qt). Each measurement is one 2D actor (its outline plus a dot on each
control point, mapped from the scene's world, so zoom and pan move it with the image
and it is always drawn over the image and its overlays) and a text label with its value.
A measurement is shown only on the slice it lies in, in views whose slice axis is the
measurement's; visibility is settled just before each render, so the layer follows the
scene's slice whoever moved it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkCoordinate,
    vtkPolyDataMapper2D,
    vtkProp,
    vtkTextActor,
)

from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.measurement_values import measure
from vividmed_viewer.core.measurements import Measurement, outline
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)
from vividmed_viewer.render.slice_geometry import SliceAxes, slice_axes
from vividmed_viewer.render.slice_scene import SliceScene

MEASUREMENT_COLOUR = (0.35, 1.0, 0.45)
HIGHLIGHT_COLOUR = (1.0, 1.0, 0.35)
LINE_WIDTH = 2.0
HIGHLIGHT_LINE_WIDTH = 3.0
HANDLE_SIZE = 6.0  # control-point dots, in pixels
LABEL_OFFSET = (10.0, 0.0)  # display pixels right of the measurement's rightmost point
LABEL_FONT_SIZE = 13


def label_text(measurement: Measurement, volume: ImageVolume) -> str:
    """The text drawn next to a measurement: its label (if any) over its values."""
    lines = measure(measurement, volume).lines()
    if measurement.label:
        lines.insert(0, measurement.label)
    return "\n".join(lines)


def plane_points(measurement: Measurement, axes: SliceAxes) -> np.ndarray:
    """The measurement's outline in the scene's display plane: ``(n, 2)`` (u, v) mm."""
    spacing_u, spacing_v = axes.pixel_spacing
    pixels = [axes.index_to_pixel(point) for point in outline(measurement)]
    return np.asarray([(u * spacing_u, v * spacing_v) for u, v in pixels], dtype=float)


@dataclass
class DrawnMeasurement:
    """The actors of one measurement (or of the draft being drawn)."""

    measurement: Measurement
    actor: vtkActor2D
    label: vtkTextActor

    def props(self) -> tuple[vtkProp, ...]:
        return (self.actor, self.label)

    def set_visible(self, visible: bool) -> None:
        for prop in self.props():
            prop.SetVisibility(visible)

    def set_highlighted(self, highlighted: bool) -> None:
        colour = HIGHLIGHT_COLOUR if highlighted else MEASUREMENT_COLOUR
        self.actor.GetProperty().SetColor(*colour)
        self.actor.GetProperty().SetLineWidth(HIGHLIGHT_LINE_WIDTH if highlighted else LINE_WIDTH)
        self.label.GetTextProperty().SetColor(*colour)


def _polydata(measurement: Measurement, axes: SliceAxes) -> vtkPolyData:
    """The outline as one polyline, plus a vertex on each control point."""
    points = vtkPoints()
    for u, v in plane_points(measurement, axes):
        points.InsertNextPoint(float(u), float(v), 0.0)
    line = vtkCellArray()
    line.InsertNextCell(points.GetNumberOfPoints())
    for k in range(points.GetNumberOfPoints()):
        line.InsertCellPoint(k)
    handles = vtkCellArray()
    spacing_u, spacing_v = axes.pixel_spacing
    for point in measurement.points:
        u, v = axes.index_to_pixel(point)
        handles.InsertNextCell(1)
        handles.InsertCellPoint(points.InsertNextPoint(u * spacing_u, v * spacing_v, 0.0))
    polydata = vtkPolyData()
    polydata.SetPoints(points)
    polydata.SetLines(line)
    polydata.SetVerts(handles)
    return polydata


def build_drawn(measurement: Measurement, volume: ImageVolume, axes: SliceAxes) -> DrawnMeasurement:
    """The actors of one measurement for a scene with these axes (not yet in a renderer)."""
    world = vtkCoordinate()
    world.SetCoordinateSystemToWorld()
    mapper = vtkPolyDataMapper2D()
    mapper.SetInputData(_polydata(measurement, axes))
    mapper.SetTransformCoordinate(world)
    mapper.ScalarVisibilityOff()
    actor = vtkActor2D()
    actor.SetMapper(mapper)
    actor.GetProperty().SetPointSize(HANDLE_SIZE)
    actor.PickableOff()
    plane = plane_points(measurement, axes)
    right = plane[int(np.argmax(plane[:, 0]))]
    anchor = vtkCoordinate()
    anchor.SetCoordinateSystemToWorld()
    anchor.SetValue(float(right[0]), float(right[1]), 0.0)
    label = vtkTextActor()
    label.SetTextScaleModeToNone()
    label.SetInput(label_text(measurement, volume))
    position = label.GetPositionCoordinate()
    position.SetCoordinateSystemToDisplay()
    position.SetReferenceCoordinate(anchor)  # an offset in pixels from a world point
    position.SetValue(*LABEL_OFFSET)
    text = label.GetTextProperty()
    text.SetFontSize(LABEL_FONT_SIZE)
    text.SetBold(True)
    text.ShadowOn()
    text.SetJustificationToLeft()
    text.SetVerticalJustificationToCentered()
    label.PickableOff()
    drawn = DrawnMeasurement(measurement, actor, label)
    drawn.set_highlighted(False)
    return drawn


class SliceMeasurementLayer:
    """The measurements of one image in one slice scene, plus the one being drawn."""

    def __init__(self, scene: SliceScene) -> None:
        self.scene = scene
        self.volume: ImageVolume | None = None
        self.axes: SliceAxes | None = None
        self.items: dict[str, DrawnMeasurement] = {}
        self.draft: DrawnMeasurement | None = None
        self.highlighted: str | None = None
        scene.renderer.AddObserver(vtkCommand.StartEvent, self._before_render)

    def set_measurements(
        self, volume: ImageVolume | None, measurements: Iterable[Measurement]
    ) -> None:
        """Show these measurements of ``volume`` (None: none). Unchanged ones keep their actors."""
        if volume is not self.volume:
            self._remove(list(self.items.values()))
            self.items = {}
            self.set_draft(None)
        self.volume = volume
        self.axes = None if volume is None else slice_axes(volume.geometry, self.scene.orientation)
        wanted = {} if volume is None else {m.measurement_id: m for m in measurements}
        previous, self.items = self.items, {}
        for measurement_id, measurement in wanted.items():
            item = previous.pop(measurement_id, None)
            if item is None or item.measurement != measurement:
                if item is not None:
                    self._remove([item])
                item = self._add(measurement)
            self.items[measurement_id] = item
        self._remove(list(previous.values()))
        self.set_highlight(self.highlighted if self.highlighted in self.items else None)
        self.update_visibility()

    def set_draft(self, measurement: Measurement | None) -> None:
        """Show a measurement being drawn or edited (None: none). While a measurement is
        edited its draft has its id, and the stored one is hidden."""
        if self.draft is not None:
            self._remove([self.draft])
            self.draft = None
        if measurement is not None and self.volume is not None:
            self.draft = self._add(measurement)
            self.draft.set_highlighted(True)
        self.update_visibility()

    def set_highlight(self, measurement_id: str | None) -> None:
        """Draw one measurement brighter and thicker (None: none)."""
        self.highlighted = measurement_id
        for item_id, item in self.items.items():
            item.set_highlighted(item_id == measurement_id)

    def visible_ids(self) -> list[str]:
        """The measurements drawn on the scene's current slice (the draft's stand-in left out)."""
        return [i for i, item in self.items.items() if self._shows(item.measurement)]

    def update_visibility(self) -> None:
        editing = self.draft.measurement.measurement_id if self.draft is not None else None
        for item_id, item in self.items.items():
            item.set_visible(item_id != editing and self._shows(item.measurement))
        if self.draft is not None:
            self.draft.set_visible(self._shows(self.draft.measurement))

    def _shows(self, measurement: Measurement) -> bool:
        return (
            self.axes is not None
            and self.scene.volume is self.volume
            and measurement.lies_on(self.axes.slice_axis, self.scene.slice_index)
        )

    def _add(self, measurement: Measurement) -> DrawnMeasurement:
        assert self.volume is not None and self.axes is not None
        item = build_drawn(measurement, self.volume, self.axes)
        for prop in item.props():
            self.scene.renderer.AddViewProp(prop)
        return item

    def _remove(self, items: list[DrawnMeasurement]) -> None:
        for item in items:
            for prop in item.props():
                self.scene.renderer.RemoveViewProp(prop)

    def _before_render(self, _caller: object, _event: str) -> None:
        self.update_visibility()
