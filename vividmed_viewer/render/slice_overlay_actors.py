"""The VTK actors that draw overlays on one slice view (mask images, box rectangles)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import vtk
from numpy.typing import NDArray
from vtkmodules.util import numpy_support

from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.overlays import BoxOverlay, MaskOverlay, Overlay
from vividmed_viewer.render.slice_geometry import SliceAxes
from vividmed_viewer.render.slice_overlays import (
    MaskDisplay,
    OverlayStyle,
    boxes_on_slice,
    brighter,
    mask_rgba,
    mask_slice,
)

OVERLAY_DEPTH = 1.0  # mm towards the camera, so overlays draw over the image
BOX_LINE_WIDTH = 2.0


def image_data(values: NDArray[np.generic], spacing: tuple[float, float]) -> vtk.vtkImageData:
    """vtkImageData of a (rows, columns[, components]) array; row 0 is the bottom row."""
    rows, columns = values.shape[:2]
    components = values.shape[2] if values.ndim == 3 else 1
    data = vtk.vtkImageData()
    data.SetDimensions(columns, rows, 1)
    data.SetSpacing(spacing[0], spacing[1], 1.0)
    flat = np.ascontiguousarray(values).reshape(rows * columns, components)
    scalars = numpy_support.numpy_to_vtk(flat if components > 1 else flat[:, 0], deep=True)
    data.GetPointData().SetScalars(scalars)
    return data


def rectangles_polydata(
    rectangles: list[tuple[float, float, float, float]], spacing: tuple[float, float], depth: float
) -> vtk.vtkPolyData:
    """Closed line loops for pixel rectangles, in display-plane millimetres."""
    points = vtk.vtkPoints()
    lines = vtk.vtkCellArray()
    for u0, v0, u1, v1 in rectangles:
        start = points.GetNumberOfPoints()
        for u, v in ((u0, v0), (u1, v0), (u1, v1), (u0, v1)):
            points.InsertNextPoint(u * spacing[0], v * spacing[1], depth)
        lines.InsertNextCell(5)
        for k in (0, 1, 2, 3, 0):
            lines.InsertCellPoint(start + k)
    polydata = vtk.vtkPolyData()
    polydata.SetPoints(points)
    polydata.SetLines(lines)
    return polydata


@dataclass
class SliceOverlayActor:
    """One overlay on one slice view: its style and the actor drawing the current slice."""

    overlay: Overlay
    style: OverlayStyle
    order: int
    actor: vtk.vtkProp = field(init=False)

    def __post_init__(self) -> None:
        if isinstance(self.overlay, MaskOverlay):
            image_actor = vtk.vtkImageActor()
            image_actor.GetProperty().SetInterpolationTypeToNearest()
            image_actor.GetMapper().BorderOn()
            image_actor.SetPosition(0.0, 0.0, OVERLAY_DEPTH + 0.01 * self.order)
            image_actor.PickableOff()
            self.actor = image_actor
        else:
            mapper = vtk.vtkPolyDataMapper()
            line_actor = vtk.vtkActor()
            line_actor.SetMapper(mapper)
            line_actor.PickableOff()
            self.actor = line_actor

    def update(
        self,
        image_geometry: GridGeometry,
        axes: SliceAxes,
        index: int,
        display: MaskDisplay,
        highlighted: bool,
    ) -> None:
        """Redraw for slice ``index`` with the current style."""
        self.actor.SetVisibility(self.style.visible)
        if not self.style.visible:
            return
        if isinstance(self.overlay, MaskOverlay):
            region = mask_slice(self.overlay, image_geometry, axes, index)
            rgba = mask_rgba(region, self.style, display, highlighted)
            assert isinstance(self.actor, vtk.vtkImageActor)
            self.actor.GetMapper().SetInputData(image_data(rgba, axes.pixel_spacing))
            self.actor.Update()
            return
        assert isinstance(self.overlay, BoxOverlay)
        rectangles = boxes_on_slice(self.overlay, image_geometry, axes, index)
        polydata = rectangles_polydata(
            rectangles, axes.pixel_spacing, OVERLAY_DEPTH + 0.5 + 0.01 * self.order
        )
        assert isinstance(self.actor, vtk.vtkActor)
        self.actor.GetMapper().SetInputData(polydata)
        colour = brighter(self.style.colour) if highlighted else self.style.colour
        props = self.actor.GetProperty()
        props.SetColor(*(c / 255.0 for c in colour))
        props.SetOpacity(1.0 if highlighted else min(1.0, 2.0 * self.style.opacity))
        props.SetLineWidth(BOX_LINE_WIDTH * (2 if highlighted else 1))
        props.LightingOff()
