"""The VTK actors that draw overlays on one slice view (mask images, box rectangles)."""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from typing import cast

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util import numpy_support
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkImageData, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor, vtkImageActor, vtkPolyDataMapper

from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.overlay_style import MaskDisplay, OverlayStyle
from vividmed_viewer.core.overlays import BoxOverlay, MaskOverlay, Overlay
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)
from vividmed_viewer.render.slice_geometry import SliceAxes
from vividmed_viewer.render.slice_overlays import (
    boxes_on_slice,
    brighter,
    mask_rgba,
    mask_slice,
)

OVERLAY_DEPTH = 1.0  # mm towards the camera, so overlays draw over the image
BOX_LINE_WIDTH = 2.0


def image_data(values: NDArray[np.generic], spacing: tuple[float, float]) -> vtkImageData:
    """vtkImageData of a (rows, columns[, components]) array; row 0 is the bottom row."""
    rows, columns = values.shape[:2]
    components = values.shape[2] if values.ndim == 3 else 1
    data = vtkImageData()
    data.SetDimensions(columns, rows, 1)
    data.SetSpacing(spacing[0], spacing[1], 1.0)
    flat = np.ascontiguousarray(values).reshape(rows * columns, components)
    scalars = numpy_support.numpy_to_vtk(flat if components > 1 else flat[:, 0], deep=True)
    data.GetPointData().SetScalars(scalars)
    return data


def rectangles_polydata(
    rectangles: list[tuple[float, float, float, float]], spacing: tuple[float, float], depth: float
) -> vtkPolyData:
    """Closed line loops for pixel rectangles, in display-plane millimetres."""
    points = vtkPoints()
    lines = vtkCellArray()
    for u0, v0, u1, v1 in rectangles:
        start = points.GetNumberOfPoints()
        for u, v in ((u0, v0), (u1, v0), (u1, v1), (u0, v1)):
            points.InsertNextPoint(u * spacing[0], v * spacing[1], depth)
        lines.InsertNextCell(5)
        for k in (0, 1, 2, 3, 0):
            lines.InsertCellPoint(start + k)
    polydata = vtkPolyData()
    polydata.SetPoints(points)
    polydata.SetLines(lines)
    return polydata


@dataclass
class SliceOverlayActor:
    """One overlay on one slice view: its style and the actor drawing the current slice."""

    overlay: Overlay
    style: OverlayStyle
    order: int
    actor: vtkImageActor | vtkActor = field(init=False)
    drawn: tuple[object, ...] | None = field(default=None, init=False)  # what update last drew
    drawn_on: tuple[GridGeometry, SliceAxes] | None = field(default=None, init=False)
    same_grid_as: tuple[GridGeometry, bool] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if isinstance(self.overlay, MaskOverlay):
            image_actor = vtkImageActor()
            image_actor.GetProperty().SetInterpolationTypeToNearest()
            image_actor.GetMapper().BorderOn()
            image_actor.PickableOff()
            self.actor = image_actor
        else:
            mapper = vtkPolyDataMapper()
            line_actor = vtkActor()
            line_actor.SetMapper(mapper)
            line_actor.PickableOff()
            self.actor = line_actor
        self.set_order(self.order)

    def set_order(self, order: int) -> None:
        """Stack this overlay at position ``order`` (later overlays draw on top)."""
        self.order = order
        if isinstance(self.actor, vtkImageActor):
            self.actor.SetPosition(0.0, 0.0, OVERLAY_DEPTH + 0.01 * order)
        else:
            self.actor.SetPosition(0.0, 0.0, 0.5 + 0.01 * order)

    def on_same_grid(self, image_geometry: GridGeometry) -> bool:
        """Whether the overlay's grid is the image's (checked once per image geometry)."""
        if self.same_grid_as is None or self.same_grid_as[0] is not image_geometry:
            self.same_grid_as = (image_geometry, self.overlay.geometry.same_grid(image_geometry))
        return self.same_grid_as[1]

    def _draw_region(
        self,
        region: NDArray[np.bool_],
        spacing: tuple[float, float],
        display: MaskDisplay,
        highlighted: bool,
    ) -> None:
        """Draw only the region's bounding rectangle (no texture, no actor on empty slices)."""
        assert isinstance(self.actor, vtkImageActor)
        rows = np.flatnonzero(region.any(axis=1))
        if rows.size == 0:
            self.actor.SetVisibility(False)
            return
        columns = np.flatnonzero(region.any(axis=0))
        top, left = int(rows[0]), int(columns[0])
        crop = region[top : int(rows[-1]) + 1, left : int(columns[-1]) + 1]
        # the pixels around a bounding rectangle are outside the region, as the outline
        # (which treats the crop's border like the image's) assumes
        rgba = mask_rgba(crop, self.style, display, highlighted)
        data = image_data(rgba, spacing)
        data.SetOrigin(left * spacing[0], top * spacing[1], 0.0)
        self.actor.GetMapper().SetInputData(data)
        self.actor.Update()

    def update(
        self,
        image_geometry: GridGeometry,
        axes: SliceAxes,
        index: int,
        display: MaskDisplay,
        highlighted: bool,
    ) -> None:
        """Redraw for slice ``index`` with the current style (no-op when nothing changed)."""
        if not self.style.visible:
            self.actor.SetVisibility(False)
            self.drawn = None
            return
        key = (index, display, highlighted, astuple(self.style))
        drawn_on = self.drawn_on or (None, None)
        if key == self.drawn and drawn_on[0] is image_geometry and drawn_on[1] is axes:
            return  # the actor still shows exactly this
        self.drawn, self.drawn_on = key, (image_geometry, axes)
        self.actor.SetVisibility(True)
        if isinstance(self.overlay, MaskOverlay):
            same_grid = self.on_same_grid(image_geometry)
            region = mask_slice(self.overlay, image_geometry, axes, index, same_grid)
            self._draw_region(region, axes.pixel_spacing, display, highlighted)
            return
        assert isinstance(self.overlay, BoxOverlay)
        rectangles = boxes_on_slice(self.overlay, image_geometry, axes, index)
        polydata = rectangles_polydata(rectangles, axes.pixel_spacing, OVERLAY_DEPTH)
        assert isinstance(self.actor, vtkActor)
        cast(vtkPolyDataMapper, self.actor.GetMapper()).SetInputData(polydata)
        colour = brighter(self.style.colour) if highlighted else self.style.colour
        props = self.actor.GetProperty()
        props.SetColor(*(c / 255.0 for c in colour))
        props.SetOpacity(1.0 if highlighted else self.style.line_opacity)
        props.SetLineWidth(BOX_LINE_WIDTH * (2 if highlighted else 1))
        props.LightingOff()
