"""Box overlay → 3D wireframes in patient LPS coordinates, with a target label per box."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkTextActor

from vividmed_viewer.core.overlays import Box, BoxOverlay
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)

# Corner k of Box.corners_patient is (z, y, x) = bits (4, 2, 1) of k; an edge joins two
# corners that differ in exactly one bit.
BOX_EDGES: tuple[tuple[int, int], ...] = tuple(
    (corner, corner | bit) for corner in range(8) for bit in (1, 2, 4) if not corner & bit
)


def enclosing_corners(box: Box, overlay: BoxOverlay) -> NDArray[np.float64]:
    """The 8 LPS corners of the box drawn around the voxels (half a voxel outside the centres)."""
    outer = Box(
        tuple(v - 0.5 for v in box.minimum),  # type: ignore[arg-type]
        tuple(v + 0.5 for v in box.maximum),  # type: ignore[arg-type]
    )
    return outer.corners_patient(overlay.geometry)


def build_box_wireframe(overlay: BoxOverlay) -> vtkPolyData:
    """One polydata holding the 12 edges of every box of ``overlay``, in LPS mm."""
    points = vtkPoints()
    lines = vtkCellArray()
    for box in overlay.boxes:
        base = points.GetNumberOfPoints()
        for corner in enclosing_corners(box, overlay):
            points.InsertNextPoint(float(corner[0]), float(corner[1]), float(corner[2]))
        for start, end in BOX_EDGES:
            lines.InsertNextCell(2)
            lines.InsertCellPoint(base + start)
            lines.InsertCellPoint(base + end)
    wireframe = vtkPolyData()
    wireframe.SetPoints(points)
    wireframe.SetLines(lines)
    return wireframe


def label_anchor(corners: NDArray[np.float64]) -> NDArray[np.float64]:
    """Where a box's label sits: its top (most superior) corner nearest the patient's right."""
    top = corners[np.isclose(corners[:, 2], corners[:, 2].max())]
    return np.asarray(top[np.argmin(top[:, 0])], dtype=np.float64)


def build_box_labels(overlay: BoxOverlay, font_size: int = 14) -> list[vtkTextActor]:
    """A text label with the target name at the top of each box, drawn over the 3D scene."""
    labels: list[vtkTextActor] = []
    for box in overlay.boxes:
        anchor = label_anchor(enclosing_corners(box, overlay))
        label = vtkTextActor()
        text = overlay.target if box.score is None else f"{overlay.target} {box.score:.2f}"
        label.SetInput(text)
        # A 2D actor anchored at a world point: always readable, never hidden by surfaces.
        position = label.GetPositionCoordinate()
        position.SetCoordinateSystemToWorld()
        position.SetValue(float(anchor[0]), float(anchor[1]), float(anchor[2]))
        label.GetTextProperty().SetVerticalJustificationToBottom()
        label.GetTextProperty().SetFontSize(font_size)
        label.GetTextProperty().SetBold(True)
        label.GetTextProperty().SetShadow(True)
        labels.append(label)
    return labels


def make_wireframe_actor(wireframe: vtkPolyData) -> vtkActor:
    """An unlit line actor (its colour shows exactly as set) for a wireframe polydata."""
    mapper = vtkPolyDataMapper()
    mapper.SetInputData(wireframe)
    mapper.ScalarVisibilityOff()
    actor = vtkActor()
    actor.SetMapper(mapper)
    actor.GetProperty().LightingOff()
    actor.GetProperty().SetRepresentationToWireframe()
    actor.GetProperty().SetLineWidth(2.0)
    actor.PickableOff()
    return actor
