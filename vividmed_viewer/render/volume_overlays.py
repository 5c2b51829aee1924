"""The VTK props of one overlay in the 3D view and how its style (colour, opacity, highlight) applies."""

from __future__ import annotations

from dataclasses import dataclass, field

from vtkmodules.vtkCommonDataModel import vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkProp, vtkTextActor

from vividmed_viewer.core.errors import RenderError
from vividmed_viewer.core.overlay_style import OverlayStyle
from vividmed_viewer.core.overlays import BoxOverlay, Colour, MaskOverlay, Overlay
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)
from vividmed_viewer.render.box_wireframe import (
    build_box_labels,
    build_box_wireframe,
    make_wireframe_actor,
)

HIGHLIGHT_BRIGHTEN = 0.45
LINE_WIDTH = 2.0
HIGHLIGHT_LINE_WIDTH = 5.0


def brighten(colour: Colour, amount: float) -> tuple[float, float, float]:
    """A 0..255 colour as 0..1 floats, moved ``amount`` of the way towards white."""
    red, green, blue = (c / 255.0 for c in colour)
    return (
        red + (1.0 - red) * amount,
        green + (1.0 - green) * amount,
        blue + (1.0 - blue) * amount,
    )


def make_surface_actor(surface: vtkPolyData) -> vtkActor:
    """A shaded actor for a mask surface (colour set by :meth:`OverlayProps.apply_style`)."""
    mapper = vtkPolyDataMapper()
    mapper.SetInputData(surface)
    mapper.ScalarVisibilityOff()
    actor = vtkActor()
    actor.SetMapper(mapper)
    actor.GetProperty().SetSpecular(0.3)
    actor.GetProperty().SetSpecularPower(20.0)
    return actor


@dataclass
class OverlayProps:
    """An overlay's actors plus its current style; ``apply_style`` pushes the style to VTK."""

    overlay: Overlay
    style: OverlayStyle
    highlighted: bool = False
    actors: list[vtkActor] = field(default_factory=list)
    labels: list[vtkTextActor] = field(default_factory=list)

    @property
    def overlay_id(self) -> str:
        return self.overlay.overlay_id

    @property
    def is_mask(self) -> bool:
        return isinstance(self.overlay, MaskOverlay)

    @property
    def has_geometry(self) -> bool:
        """False for a mask whose surface is not built yet."""
        return bool(self.actors)

    def all_props(self) -> list[vtkProp]:
        return [*self.actors, *self.labels]

    def apply_style(self) -> None:
        """Colour, opacity, visibility and highlight onto every actor and label."""
        style = self.style
        rgb = brighten(style.colour, HIGHLIGHT_BRIGHTEN if self.highlighted else 0.0)
        for actor in self.actors:
            prop = actor.GetProperty()
            prop.SetColor(*rgb)
            if self.is_mask:
                prop.SetOpacity(max(style.opacity, 0.9) if self.highlighted else style.opacity)
                prop.SetAmbient(0.45 if self.highlighted else 0.15)
            else:
                prop.SetOpacity(style.line_opacity)
                prop.SetLineWidth(HIGHLIGHT_LINE_WIDTH if self.highlighted else LINE_WIDTH)
            actor.SetVisibility(style.visible)
        for label in self.labels:
            text = label.GetTextProperty()
            text.SetColor(*rgb)
            text.SetOpacity(style.line_opacity)
            text.SetFontSize(18 if self.highlighted else 14)
            label.SetVisibility(style.visible)


def props_for_overlay(
    overlay: Overlay, surface: vtkPolyData | None, style: OverlayStyle
) -> OverlayProps:
    """Props for a box overlay (built now) or a mask overlay (from ``surface``, may come later)."""
    if isinstance(overlay, BoxOverlay):
        props = OverlayProps(overlay, style)
        if overlay.boxes:
            props.actors.append(make_wireframe_actor(build_box_wireframe(overlay)))
            props.labels.extend(build_box_labels(overlay))
    elif isinstance(overlay, MaskOverlay):
        props = OverlayProps(overlay, style)
        if surface is not None and surface.GetNumberOfPolys() > 0:
            props.actors.append(make_surface_actor(surface))
    else:
        raise RenderError(f"cannot show {type(overlay).__name__} in the 3D view")
    props.apply_style()
    return props
