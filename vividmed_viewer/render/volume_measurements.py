"""Measurements in the 3D view: lines for lengths and angles, outlines for ROIs, with labels.

Pure VTK (no Qt). Everything sits in patient LPS millimetres, as the volume does
(:mod:`vividmed_viewer.render.volume_scene`); the layer adds and removes only its own
actors on the scene's renderer and shows them only while the scene shows the volume
they were measured on (a radiograph has no 3D view, so nothing is drawn for it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor, vtkProp, vtkTextActor

from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.measurement_values import measure
from vividmed_viewer.core.measurements import Measurement, outline
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)
from vividmed_viewer.render.box_wireframe import make_wireframe_actor
from vividmed_viewer.render.slice_measurements import MEASUREMENT_COLOUR
from vividmed_viewer.render.volume_scene import VolumeScene

LABEL_FONT_SIZE = 13


def build_outline(measurement: Measurement, volume: ImageVolume) -> vtkPolyData:
    """The measurement's outline as one polyline in patient LPS millimetres."""
    patient = volume.index_to_patient(outline(measurement))
    points = vtkPoints()
    line = vtkCellArray()
    line.InsertNextCell(len(patient))
    for point in patient:
        line.InsertCellPoint(points.InsertNextPoint(*(float(v) for v in point)))
    polydata = vtkPolyData()
    polydata.SetPoints(points)
    polydata.SetLines(line)
    return polydata


@dataclass
class VolumeMeasurement:
    measurement: Measurement
    actor: vtkActor
    label: vtkTextActor

    def props(self) -> tuple[vtkProp, ...]:
        return (self.actor, self.label)


def build_volume_measurement(measurement: Measurement, volume: ImageVolume) -> VolumeMeasurement:
    actor = make_wireframe_actor(build_outline(measurement, volume))
    actor.GetProperty().SetColor(*MEASUREMENT_COLOUR)
    anchor = volume.index_to_patient(measurement.points[-1])
    label = vtkTextActor()
    summary = measure(measurement, volume).summary()
    label.SetInput(f"{measurement.label}: {summary}" if measurement.label else summary)
    position = label.GetPositionCoordinate()
    position.SetCoordinateSystemToWorld()  # a 2D label pinned to a 3D point: always readable
    position.SetValue(float(anchor[0]), float(anchor[1]), float(anchor[2]))
    text = label.GetTextProperty()
    text.SetFontSize(LABEL_FONT_SIZE)
    text.SetColor(*MEASUREMENT_COLOUR)
    text.SetBold(True)
    text.ShadowOn()
    text.SetVerticalJustificationToBottom()
    label.PickableOff()
    return VolumeMeasurement(measurement, actor, label)


class VolumeMeasurementLayer:
    """The measurements of the image shown in a :class:`VolumeScene`."""

    def __init__(self, scene: VolumeScene) -> None:
        self.scene = scene
        self.volume: ImageVolume | None = None
        self.items: dict[str, VolumeMeasurement] = {}
        scene.renderer.AddObserver(vtkCommand.StartEvent, self._before_render)

    def set_measurements(
        self, volume: ImageVolume | None, measurements: Iterable[Measurement]
    ) -> None:
        """Show these measurements of ``volume`` (None or a one-slice image: none)."""
        if volume is not self.volume:
            self._remove(list(self.items))
        self.volume = volume
        wanted = (
            {} if volume is None or volume.is_2d else {m.measurement_id: m for m in measurements}
        )
        for measurement_id in [i for i in self.items if i not in wanted]:
            self._remove([measurement_id])
        for measurement_id, measurement in wanted.items():
            item = self.items.get(measurement_id)
            if item is not None and item.measurement == measurement:
                continue
            self._remove([measurement_id])
            assert volume is not None
            item = build_volume_measurement(measurement, volume)
            for prop in item.props():
                self.scene.renderer.AddViewProp(prop)
            self.items[measurement_id] = item
        self.update_visibility()

    def update_visibility(self) -> None:
        shown = self.volume is not None and self.scene.volume is self.volume
        for item in self.items.values():
            for prop in item.props():
                prop.SetVisibility(shown)

    def _remove(self, measurement_ids: list[str]) -> None:
        for measurement_id in measurement_ids:
            item = self.items.pop(measurement_id, None)
            if item is not None:
                for prop in item.props():
                    self.scene.renderer.RemoveViewProp(prop)

    def _before_render(self, _caller: object, _event: str) -> None:
        self.update_visibility()
