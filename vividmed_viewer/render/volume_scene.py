"""The 3D view's scene: volume rendering of an ImageVolume plus mask surfaces and box wireframes.

Pure VTK (no Qt): ``scene.renderer`` can go into an onscreen Qt render window or an
offscreen one. Everything sits in patient LPS millimetres. The volume is drawn by
vtkSmartVolumeMapper; where OpenGL is a software rasteriser (Mesa llvmpipe, no GPU) it is
asked for CPU ray casting (vtkFixedPointVolumeRayCastMapper), which is ~10× faster there,
and during interaction it lowers its sample distances to hold the interactive frame rate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from vtkmodules.vtkCommonDataModel import vtkPiecewiseFunction, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkColorTransferFunction,
    vtkRenderer,
    vtkVolume,
    vtkVolumeProperty,
)
from vtkmodules.vtkRenderingVolumeOpenGL2 import vtkSmartVolumeMapper

from vividmed_viewer.core.errors import RenderError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlay_style import OverlayStyle, default_style
from vividmed_viewer.core.overlays import MaskOverlay, Overlay
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)
from vividmed_viewer.render.mask_surface import build_mask_surface
from vividmed_viewer.render.volume_image import (
    DEFAULT_MAX_RENDER_VOXELS,
    patient_matrix,
    strided_for_rendering,
    to_vtk_image,
)
from vividmed_viewer.render.volume_overlays import (
    OverlayProps,
    make_surface_actor,
    props_for_overlay,
)
from vividmed_viewer.render.volume_presets import (
    default_preset_name,
    get_preset,
    intensity_range,
)
from vividmed_viewer.render.volume_render_mode import RenderMode, resolve_render_mode

logger = logging.getLogger(__name__)


class VolumeScene:
    """Volume + overlays in one vtkRenderer (``.renderer``), camera in patient space."""

    def __init__(
        self,
        *,
        render_mode: RenderMode = "auto",
        max_render_voxels: int = DEFAULT_MAX_RENDER_VOXELS,
        background: tuple[float, float, float] = (0.0, 0.0, 0.0),
    ) -> None:
        self.renderer = vtkRenderer()
        self.renderer.SetBackground(*background)
        self.render_mode: RenderMode = render_mode
        self.max_render_voxels = max_render_voxels
        self.mapper = vtkSmartVolumeMapper()
        self.mapper.SetBlendModeToComposite()
        self.mapper.InteractiveAdjustSampleDistancesOn()
        self.volume_property = vtkVolumeProperty()
        self.volume_property.SetInterpolationTypeToLinear()
        self.volume_property.SetScalarOpacityUnitDistance(1.0)
        self.volume_prop = vtkVolume()
        self.volume_prop.SetMapper(self.mapper)
        self.volume_prop.SetProperty(self.volume_property)
        self.volume: ImageVolume | None = None
        self.preset_name: str | None = None
        self.downsample_factor = 1
        self.resolved_render_mode: Literal["cpu", "gpu"] | None = None
        self._intensity_range = (0.0, 1.0)
        self._overlays: dict[str, OverlayProps] = {}
        self._highlighted: str | None = None

    # ----- volume -------------------------------------------------------------------------
    def set_volume(self, volume: ImageVolume, preset: str | None = None) -> None:
        """Show ``volume`` (strided if larger than ``max_render_voxels``) with a preset.

        Raises RenderError for a single-slice image (a radiograph has no 3D rendering).
        """
        if volume.is_2d:
            raise RenderError(
                f"the 3D view needs more than one slice; this image is {volume.describe()}"
            )
        voxels, spacing, factor = strided_for_rendering(
            volume.voxels, volume.spacing, self.max_render_voxels
        )
        self.downsample_factor = factor
        self.volume = volume
        self.mapper.SetInputData(to_vtk_image(voxels, spacing))
        self.volume_prop.SetUserMatrix(patient_matrix(volume.geometry))
        self._intensity_range = intensity_range(voxels)
        self.refresh_render_mode()
        self.set_preset(preset or default_preset_name(volume.modality))
        if not self.renderer.HasViewProp(self.volume_prop):
            self.renderer.AddVolume(self.volume_prop)
        self.reset_camera()

    def clear(self) -> None:
        """Remove the volume and every overlay."""
        self.renderer.RemoveVolume(self.volume_prop)
        self.mapper.RemoveAllInputs()
        self.volume = None
        self.preset_name = None
        self.downsample_factor = 1
        self.set_overlays([])

    def set_volume_visible(self, visible: bool) -> None:
        """Show or hide the volume rendering (overlays stay), e.g. to see surfaces alone."""
        self.volume_prop.SetVisibility(bool(visible))

    @property
    def volume_visible(self) -> bool:
        return bool(self.volume_prop.GetVisibility())

    def set_preset(self, name: str) -> None:
        """Switch the colour/opacity transfer functions to the named preset."""
        preset = get_preset(name)
        colours, opacities = preset.resolved(self._intensity_range)
        colour_function = vtkColorTransferFunction()
        for value, red, green, blue in colours:
            colour_function.AddRGBPoint(value, red, green, blue)
        opacity_function = vtkPiecewiseFunction()
        for value, opacity in opacities:
            opacity_function.AddPoint(value, opacity)
        self.volume_property.SetColor(colour_function)
        self.volume_property.SetScalarOpacity(opacity_function)
        self.volume_property.SetShade(preset.shade)
        self.volume_property.SetAmbient(preset.ambient)
        self.volume_property.SetDiffuse(preset.diffuse)
        self.volume_property.SetSpecular(preset.specular)
        self.preset_name = name

    def refresh_render_mode(self) -> None:
        """Pick CPU/GPU rendering again (call once the window has its OpenGL context)."""
        window = self.renderer.GetRenderWindow()
        mode = resolve_render_mode(self.render_mode, window)
        if mode == "cpu":
            self.mapper.SetRequestedRenderModeToRayCast()
        else:
            self.mapper.SetRequestedRenderModeToGPU()
        if mode != self.resolved_render_mode:
            logger.info("3D view volume rendering: %s", mode)
        self.resolved_render_mode = mode

    # ----- overlays -----------------------------------------------------------------------
    @property
    def overlay_ids(self) -> list[str]:
        return list(self._overlays)

    def overlay_props(self, overlay_id: str) -> OverlayProps:
        """The props and style of one overlay; RenderError for an unknown id."""
        try:
            return self._overlays[overlay_id]
        except KeyError:
            raise RenderError(f"the 3D view shows no overlay with id {overlay_id!r}") from None

    def set_overlays(
        self,
        overlays: Iterable[Overlay],
        styles: Mapping[str, OverlayStyle] | None = None,
        *,
        build_surfaces: bool = True,
    ) -> bool:
        """Show these overlays in their ``styles`` (the session's; else kept or default).

        With ``build_surfaces=False`` masks wait for :meth:`add_mask_surface` (the Qt view
        builds them in a worker thread). Incremental: an overlay already shown (same id,
        same object) keeps its props and surface; only new overlays are built, and overlays
        left out are removed. Returns whether the picture changed (False when only masks
        without a surface yet came).
        """
        styles = styles or {}
        previous, self._overlays = self._overlays, {}
        changed = False
        for overlay in overlays:
            props = previous.pop(overlay.overlay_id, None)
            if props is not None and props.overlay is overlay:
                style = styles.get(overlay.overlay_id, props.style)
                if style != props.style:
                    props.style = style
                    props.apply_style()
                    changed = True
            else:
                changed = changed or props is not None
                if props is not None:
                    self._remove_props(props)
                surface = None
                if isinstance(overlay, MaskOverlay) and build_surfaces:
                    surface = build_mask_surface(overlay)
                style = styles.get(overlay.overlay_id) or default_style(overlay)
                props = props_for_overlay(overlay, surface, style)
                changed = changed or bool(props.all_props())
                for prop in props.all_props():
                    self.renderer.AddViewProp(prop)
            self._overlays[overlay.overlay_id] = props
        for props in previous.values():
            self._remove_props(props)
        if self._highlighted not in self._overlays:
            self._highlighted = None
        return changed or bool(previous)

    def _remove_props(self, props: OverlayProps) -> None:
        for prop in props.all_props():
            self.renderer.RemoveViewProp(prop)

    def add_mask_surface(self, overlay_id: str, surface: vtkPolyData) -> None:
        """Attach a surface built elsewhere (e.g. in a worker) to a mask overlay's props."""
        props = self.overlay_props(overlay_id)
        if not props.is_mask:
            raise RenderError(f"overlay {overlay_id!r} is a box overlay, not a mask")
        for actor in props.actors:
            self.renderer.RemoveViewProp(actor)
        props.actors = [make_surface_actor(surface)] if surface.GetNumberOfPolys() else []
        props.apply_style()
        for actor in props.actors:
            self.renderer.AddViewProp(actor)

    def set_overlay_style(
        self, overlay_id: str, style: OverlayStyle | None = None, **changes: Any
    ) -> None:
        """Draw one overlay in ``style`` (default: its current one) with ``changes`` applied."""
        props = self.overlay_props(overlay_id)
        props.style = (style or props.style).changed(**changes)
        props.apply_style()

    def highlight(self, overlay_id: str | None) -> None:
        """Draw one overlay brighter and thicker (None: no highlight)."""
        if overlay_id is not None:
            self.overlay_props(overlay_id)
        for key, props in self._overlays.items():
            props.highlighted = key == overlay_id
            props.apply_style()
        self._highlighted = overlay_id

    @property
    def highlighted(self) -> str | None:
        return self._highlighted

    # ----- camera -------------------------------------------------------------------------
    def reset_camera(self) -> None:
        """Anterior view (looking from the patient's front towards posterior), head up."""
        bounds = self._scene_bounds()
        camera = self.renderer.GetActiveCamera()
        if bounds is None:
            self.renderer.ResetCamera()
            return
        centre = (
            (bounds[0] + bounds[1]) / 2.0,
            (bounds[2] + bounds[3]) / 2.0,
            (bounds[4] + bounds[5]) / 2.0,
        )
        camera.SetFocalPoint(*centre)
        camera.SetPosition(centre[0], centre[1] - 1000.0, centre[2])
        camera.SetViewUp(0.0, 0.0, 1.0)
        self.renderer.ResetCamera(bounds)
        camera.Zoom(1.25)
        self.renderer.ResetCameraClippingRange()

    def rotate(self, azimuth_degrees: float) -> None:
        """Turn the camera about the view-up axis (head–foot for the reset view)."""
        camera = self.renderer.GetActiveCamera()
        camera.Azimuth(azimuth_degrees)
        camera.OrthogonalizeViewUp()
        self.renderer.ResetCameraClippingRange()

    def _scene_bounds(self) -> tuple[float, ...] | None:
        if self.volume is not None:
            return tuple(self.volume_prop.GetBounds())
        props = [p for props in self._overlays.values() for p in props.actors]
        if not props:
            return None
        bounds = [float("inf"), float("-inf")] * 3
        for prop in props:
            prop_bounds = prop.GetBounds()
            for axis in range(3):
                bounds[2 * axis] = min(bounds[2 * axis], prop_bounds[2 * axis])
                bounds[2 * axis + 1] = max(bounds[2 * axis + 1], prop_bounds[2 * axis + 1])
        return tuple(bounds)

    def render(self) -> None:
        """Render the window the renderer is in (no-op when not in one)."""
        window = self.renderer.GetRenderWindow()
        if window is not None:
            window.Render()
