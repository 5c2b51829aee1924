"""``SliceScene``: one axial, coronal or sagittal view of an ImageVolume in a vtkRenderer.

Pure VTK (no Qt). The scene's world is the display plane in millimetres (``u`` right,
``v`` up, see :mod:`vividmed_viewer.render.slice_geometry`); a parallel camera looks at
it from +z. A radiograph is an axial scene of a one-slice volume.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkCommonCore import vtkCommand, vtkLookupTable
from vtkmodules.vtkFiltersCore import vtkAppendPolyData
from vtkmodules.vtkFiltersSources import vtkLineSource
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkCoordinate,
    vtkImageActor,
    vtkPolyDataMapper,
    vtkRenderer,
)

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlay_style import MaskDisplay, OverlayStyle, default_style
from vividmed_viewer.core.overlays import Overlay
from vividmed_viewer.core.window import WindowLevel
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)
from vividmed_viewer.render.slice_annotations import CornerText, OrientationLetters, ScaleBar
from vividmed_viewer.render.slice_geometry import ORIENTATIONS, SliceAxes, edge_letters, slice_axes
from vividmed_viewer.render.slice_overlay_actors import SliceOverlayActor, image_data

logger = logging.getLogger(__name__)

CAMERA_DISTANCE = 1000.0
LUT_ENTRIES = 256


def grey_lookup_table(window: WindowLevel, invert: bool) -> vtkLookupTable:
    """A linear grey ramp over the window (black→white, or white→black inverted)."""
    table = vtkLookupTable()
    table.SetNumberOfTableValues(LUT_ENTRIES)
    table.SetRange(window.lower, window.upper)
    for k in range(LUT_ENTRIES):
        grey = k / (LUT_ENTRIES - 1)
        grey = 1.0 - grey if invert else grey
        table.SetTableValue(k, grey, grey, grey, 1.0)
    table.SetBelowRangeColor(*((1.0,) * 3 if invert else (0.0,) * 3), 1.0)
    table.SetAboveRangeColor(*((0.0,) * 3 if invert else (1.0,) * 3), 1.0)
    table.UseBelowRangeColorOn()
    table.UseAboveRangeColorOn()
    table.Build()
    return table


class SliceScene:
    """An image slice with window/level, overlays, letters, scale bar and crosshair."""

    def __init__(self, orientation: str = "axial") -> None:
        if orientation not in ORIENTATIONS:
            raise ValidationError(
                f"unknown view orientation {orientation!r} (expected {', '.join(ORIENTATIONS)})"
            )
        self.orientation = orientation
        self.renderer = vtkRenderer()
        self.renderer.SetBackground(0.0, 0.0, 0.0)
        camera = self.renderer.GetActiveCamera()
        camera.ParallelProjectionOn()
        self.image_actor = vtkImageActor()
        self.image_actor.GetProperty().SetInterpolationTypeToNearest()
        self.image_actor.GetMapper().BorderOn()  # draw whole edge pixels, not to their centres
        self.image_actor.SetVisibility(False)
        self.renderer.AddViewProp(self.image_actor)
        self.letters = OrientationLetters(self.renderer)
        self.corner = CornerText(self.renderer)
        self.scale_bar = ScaleBar(self.renderer)
        self.crosshair = vtkActor()
        self.crosshair.SetMapper(vtkPolyDataMapper())
        self.crosshair.GetProperty().SetColor(0.3, 0.9, 1.0)
        self.crosshair.SetVisibility(False)
        self.renderer.AddViewProp(self.crosshair)
        self.renderer.AddObserver(vtkCommand.StartEvent, self._before_render)
        self.volume: ImageVolume | None = None
        self.geometry: GridGeometry | None = None  # the volume's, built once per volume
        self.axes: SliceAxes | None = None
        self.slice_index = 0
        self.window = WindowLevel(0.0, 1.0)
        self.invert = False
        self.highlighted: str | None = None
        self.overlays: dict[str, SliceOverlayActor] = {}

    # ----- image ---------------------------------------------------------------------------
    @property
    def slice_count(self) -> int:
        return self.axes.slice_count if self.axes is not None else 0

    def set_volume(self, volume: ImageVolume) -> None:
        """Show ``volume`` at its middle slice with its default window."""
        self.volume = volume
        self.geometry = volume.geometry
        self.axes = slice_axes(self.geometry, self.orientation)
        self.window = volume.display_window
        self.invert = volume.invert_for_display
        self.slice_index = self.slice_count // 2
        self.letters.set_letters(edge_letters(self.geometry, self.axes))
        self.scale_bar.set_visible(volume.spacing_known)
        self.image_actor.SetVisibility(True)
        self._apply_lookup_table()
        self._update_slice()
        self.reset_camera()

    def clear(self) -> None:
        """Remove the image and its overlays."""
        self.set_overlays([])
        self.volume = None
        self.geometry = None
        self.axes = None
        self.slice_index = 0
        self.image_actor.SetVisibility(False)
        self.letters.set_letters(None)
        self.scale_bar.set_visible(False)
        self.crosshair.SetVisibility(False)
        self.corner.set_text("")

    def set_slice(self, index: int) -> int:
        """Show slice ``index`` (clamped to the volume); returns the slice shown."""
        if self.axes is None:
            return 0
        clamped = int(np.clip(index, 0, self.slice_count - 1))
        if clamped != self.slice_index:
            self.slice_index = clamped
            self._update_slice()
        return self.slice_index

    def set_annotations_visible(self, visible: bool) -> None:
        """Show or hide the letters, corner text and scale bar (e.g. for pixel tests)."""
        for actor in (*self.letters.actors.values(), self.corner.actor):
            actor.SetVisibility(visible and bool(actor.GetInput()))
        self.scale_bar.set_visible(
            visible and self.volume is not None and self.volume.spacing_known
        )

    def set_window(self, window: WindowLevel) -> None:
        self.window = window
        self._apply_lookup_table()
        self._update_corner()

    def set_invert(self, invert: bool) -> None:
        self.invert = bool(invert)
        self._apply_lookup_table()

    def _apply_lookup_table(self) -> None:
        props = self.image_actor.GetProperty()
        props.SetLookupTable(grey_lookup_table(self.window, self.invert))
        props.UseLookupTableScalarRangeOn()

    def _update_slice(self) -> None:
        assert self.volume is not None and self.axes is not None
        plane = self.axes.extract(self.volume.voxels, self.slice_index)
        self.image_actor.GetMapper().SetInputData(image_data(plane, self.axes.pixel_spacing))
        self.image_actor.Update()
        for item in self.overlays.values():
            self._update_overlay(item)
        self._update_corner()

    def _update_corner(self) -> None:
        if self.volume is None:
            return
        slice_text = "" if self.slice_count <= 1 else f"{self.slice_index + 1}/{self.slice_count}  "
        window = self.window
        self.corner.set_text(f"{slice_text}{window.describe()}")

    # ----- overlays ------------------------------------------------------------------------
    def set_overlays(
        self, overlays: Iterable[Overlay], styles: Mapping[str, OverlayStyle] | None = None
    ) -> None:
        """Show these overlays, each drawn in its style from ``styles`` (the session's).

        An overlay without a given style keeps the one it has here, or starts from
        :func:`~vividmed_viewer.core.overlay_style.default_style`. Incremental: an overlay
        already shown (same id, same object) keeps its actor and its drawn slice; only new
        overlays get actors, and overlays left out are removed.
        """
        styles = styles or {}
        previous, self.overlays = self.overlays, {}
        if self.highlighted not in {o.overlay_id for o in overlays}:
            self.highlighted = None
        for order, overlay in enumerate(overlays):
            item = previous.pop(overlay.overlay_id, None)
            if item is not None and item.overlay is overlay:
                item.style = styles.get(overlay.overlay_id, item.style)
                item.set_order(order)
            else:
                if item is not None:
                    self.renderer.RemoveViewProp(item.actor)
                style = styles.get(overlay.overlay_id) or default_style(overlay)
                item = SliceOverlayActor(overlay, style, order)
                self.renderer.AddViewProp(item.actor)
            self.overlays[overlay.overlay_id] = item
            self._update_overlay(item)
        for item in previous.values():
            self.renderer.RemoveViewProp(item.actor)

    def set_overlay_style(
        self, overlay_id: str, style: OverlayStyle | None = None, **changes: Any
    ) -> None:
        """Draw one overlay in ``style`` (default: its current one) with ``changes`` applied."""
        item = self._overlay(overlay_id)
        item.style = (style or item.style).changed(**changes)
        self._update_overlay(item)

    def overlay_style(self, overlay_id: str) -> OverlayStyle:
        return self._overlay(overlay_id).style

    def set_mask_display(self, mode: MaskDisplay) -> None:
        """Draw every shown mask as ``"fill"``, ``"outline"`` or ``"both"``."""
        OverlayStyle(mask_display=mode)  # validates the mode, also with nothing shown
        for overlay_id in self.overlays:
            self.set_overlay_style(overlay_id, mask_display=mode)

    def set_highlight(self, overlay_id: str | None) -> None:
        """Draw one overlay brighter and thicker (None: none)."""
        if overlay_id is not None:
            self._overlay(overlay_id)
        previous, self.highlighted = self.highlighted, overlay_id
        for changed in {previous, overlay_id} - {None}:
            if changed in self.overlays:
                self._update_overlay(self.overlays[changed])

    def _overlay(self, overlay_id: str) -> SliceOverlayActor:
        if overlay_id not in self.overlays:
            raise ValidationError(f"no overlay {overlay_id!r} in the {self.orientation} view")
        return self.overlays[overlay_id]

    def _update_overlay(self, item: SliceOverlayActor) -> None:
        if self.geometry is None or self.axes is None:
            item.actor.SetVisibility(False)
            return
        highlighted = item.overlay.overlay_id == self.highlighted
        item.update(
            self.geometry, self.axes, self.slice_index, item.style.mask_display, highlighted
        )

    # ----- camera --------------------------------------------------------------------------
    def _viewport_pixels(self) -> tuple[int, int]:
        width, height = self.renderer.GetSize()
        return max(int(width), 1), max(int(height), 1)

    def reset_camera(self) -> None:
        """Fit the whole slice image into the view, centred."""
        if self.axes is None:
            return
        width_mm, height_mm = self.axes.extent_mm
        spacing_u, spacing_v = self.axes.pixel_spacing
        centre = (width_mm / 2 - spacing_u / 2, height_mm / 2 - spacing_v / 2)
        viewport_width, viewport_height = self._viewport_pixels()
        aspect = viewport_width / viewport_height
        camera = self.renderer.GetActiveCamera()
        camera.SetFocalPoint(centre[0], centre[1], 0.0)
        camera.SetPosition(centre[0], centre[1], CAMERA_DISTANCE)
        camera.SetViewUp(0.0, 1.0, 0.0)
        camera.SetParallelScale(max(height_mm / 2, width_mm / 2 / aspect) * 1.02)
        camera.SetClippingRange(CAMERA_DISTANCE - 50.0, CAMERA_DISTANCE + 50.0)

    def zoom(self, factor: float) -> None:
        """Magnify by ``factor`` (> 1 zooms in) about the view centre."""
        camera = self.renderer.GetActiveCamera()
        camera.SetParallelScale(camera.GetParallelScale() / max(factor, 1e-3))

    def pan(self, delta_u_mm: float, delta_v_mm: float) -> None:
        """Move the view's centre by a display-plane offset in millimetres."""
        camera = self.renderer.GetActiveCamera()
        u, v, _ = camera.GetFocalPoint()
        self.look_at(u + delta_u_mm, v + delta_v_mm)

    def look_at(self, u_mm: float, v_mm: float) -> None:
        camera = self.renderer.GetActiveCamera()
        camera.SetFocalPoint(u_mm, v_mm, 0.0)
        camera.SetPosition(u_mm, v_mm, CAMERA_DISTANCE)

    def mm_per_pixel(self) -> float:
        _, viewport_height = self._viewport_pixels()
        return 2.0 * self.renderer.GetActiveCamera().GetParallelScale() / viewport_height

    def _before_render(self, _caller: object, _event: str) -> None:
        self.scale_bar.update(self.mm_per_pixel())

    # ----- coordinates ---------------------------------------------------------------------
    def display_to_plane(self, x: float, y: float) -> tuple[float, float]:
        """Display pixel (VTK: origin bottom-left of the window) → display plane (u, v) mm."""
        coordinate = vtkCoordinate()
        coordinate.SetCoordinateSystemToDisplay()
        coordinate.SetValue(float(x), float(y), 0.0)
        u, v, _ = coordinate.GetComputedWorldValue(self.renderer)
        return float(u), float(v)

    def plane_to_display(self, u: float, v: float) -> tuple[float, float]:
        coordinate = vtkCoordinate()
        coordinate.SetCoordinateSystemToWorld()
        coordinate.SetValue(float(u), float(v), 0.0)
        x, y = coordinate.GetComputedDoubleDisplayValue(self.renderer)
        return float(x), float(y)

    def display_to_index(self, x: float, y: float) -> tuple[int, int, int] | None:
        """Voxel (z, y, x) under a display pixel, or None outside the image."""
        if self.axes is None:
            return None
        u, v = self.display_to_plane(x, y)
        spacing_u, spacing_v = self.axes.pixel_spacing
        pixel = (round(u / spacing_u), round(v / spacing_v))
        width, height = self.axes.image_size
        if not (0 <= pixel[0] < width and 0 <= pixel[1] < height):
            return None
        index = np.rint(self.axes.pixel_to_index(pixel[0], pixel[1], self.slice_index))
        return (int(index[0]), int(index[1]), int(index[2]))

    def display_to_patient(self, x: float, y: float) -> NDArray[np.float64] | None:
        """LPS point (mm) of the voxel under a display pixel, or None outside the image."""
        index = self.display_to_index(x, y)
        if index is None or self.volume is None:
            return None
        return self.volume.index_to_patient(index)

    def index_to_display(self, index: tuple[float, float, float]) -> tuple[float, float]:
        """Display pixel of a (z, y, x) index's in-plane position."""
        assert self.axes is not None
        pixel_u, pixel_v = self.axes.index_to_pixel(index)
        spacing_u, spacing_v = self.axes.pixel_spacing
        return self.plane_to_display(pixel_u * spacing_u, pixel_v * spacing_v)

    def patient_to_plane(self, point: NDArray[np.float64]) -> tuple[float, float, float]:
        """(u mm, v mm, continuous slice index) of an LPS point."""
        assert self.volume is not None and self.axes is not None
        index = self.volume.patient_to_index(point)
        pixel_u, pixel_v = self.axes.index_to_pixel(index)
        spacing_u, spacing_v = self.axes.pixel_spacing
        return pixel_u * spacing_u, pixel_v * spacing_v, float(index[self.axes.slice_axis])

    def center_on(self, point: NDArray[np.float64] | tuple[float, float, float]) -> None:
        """Go to the slice through an LPS point and centre the view on it."""
        if self.volume is None:
            return
        u, v, slice_position = self.patient_to_plane(np.asarray(point, dtype=float))
        self.set_slice(round(slice_position))
        self.look_at(u, v)

    def set_crosshair(self, point: NDArray[np.float64] | tuple[float, float, float] | None) -> None:
        """Show two lines through an LPS point's in-plane position (None hides them)."""
        if point is None or self.volume is None or self.axes is None:
            self.crosshair.SetVisibility(False)
            return
        u, v, _ = self.patient_to_plane(np.asarray(point, dtype=float))
        width_mm, height_mm = self.axes.extent_mm
        line = vtkAppendPolyData()
        for start, end in (
            ((u, -height_mm), (u, 2 * height_mm)),
            ((-width_mm, v), (2 * width_mm, v)),
        ):
            source = vtkLineSource()
            source.SetPoint1(start[0], start[1], 2.0)
            source.SetPoint2(end[0], end[1], 2.0)
            line.AddInputConnection(source.GetOutputPort())
        line.Update()
        cast(vtkPolyDataMapper, self.crosshair.GetMapper()).SetInputData(line.GetOutput())
        self.crosshair.SetVisibility(True)
