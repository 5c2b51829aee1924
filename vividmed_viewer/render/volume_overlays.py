"""The VTK props of one overlay in the 3D view and how its style (colour, opacity, highlight) applies."""

from __future__ import annotations

from dataclasses import dataclass, field

import vtk

from vividmed_viewer.core.errors import RenderError
from vividmed_viewer.core.overlays import BoxOverlay, Colour, MaskOverlay, Overlay
from vividmed_viewer.render.box_wireframe import (
    build_box_labels,
    build_box_wireframe,
    make_wireframe_actor,
)

HIGHLIGHT_BRIGHTEN = 0.45
LINE_WIDTH = 2.0
HIGHLIGHT_LINE_WIDTH = 5.0
DEFAULT_SURFACE_OPACITY = 1.0
DEFAULT_BOX_OPACITY = 1.0


def brighten(colour: Colour, amount: float) -> tuple[float, float, float]:
    """A 0..255 colour as 0..1 floats, moved ``amount`` of the way towards white."""
    red, green, blue = (c / 255.0 for c in colour)
    return (
        red + (1.0 - red) * amount,
        green + (1.0 - green) * amount,
        blue + (1.0 - blue) * amount,
    )


def make_surface_actor(surface: vtk.vtkPolyData) -> vtk.vtkActor:
    """A shaded actor for a mask surface (colour set by :meth:`OverlayProps.apply_style`)."""
    mapper = vtk.vtkPolyDataMapper()
    mapper.SetInputData(surface)
    mapper.ScalarVisibilityOff()
    actor = vtk.vtkActor()
    actor.SetMapper(mapper)
    actor.GetProperty().SetSpecular(0.3)
    actor.GetProperty().SetSpecularPower(20.0)
    return actor


@dataclass
class OverlayProps:
    """An overlay's actors plus its current style; ``apply_style`` pushes the style to VTK."""

    overlay: Overlay
    colour: Colour
    opacity: float
    visible: bool = True
    highlighted: bool = False
    actors: list[vtk.vtkActor] = field(default_factory=list)
    labels: list[vtk.vtkTextActor] = field(default_factory=list)

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

    def reset_style(self) -> bool:
        """Back to the overlay's own colour, default opacity, visible, not highlighted.

        Returns whether the style changed.
        """
        style = (self.colour, self.opacity, self.visible, self.highlighted)
        self.colour = self.overlay.colour
        self.opacity = DEFAULT_SURFACE_OPACITY if self.is_mask else DEFAULT_BOX_OPACITY
        self.visible = True
        self.highlighted = False
        if style == (self.colour, self.opacity, self.visible, self.highlighted):
            return False
        self.apply_style()
        return True

    def all_props(self) -> list[vtk.vtkProp]:
        return [*self.actors, *self.labels]

    def apply_style(self) -> None:
        """Colour, opacity, visibility and highlight onto every actor and label."""
        rgb = brighten(self.colour, HIGHLIGHT_BRIGHTEN if self.highlighted else 0.0)
        for actor in self.actors:
            prop = actor.GetProperty()
            prop.SetColor(*rgb)
            if self.is_mask:
                prop.SetOpacity(max(self.opacity, 0.9) if self.highlighted else self.opacity)
                prop.SetAmbient(0.45 if self.highlighted else 0.15)
            else:
                prop.SetOpacity(self.opacity)
                prop.SetLineWidth(HIGHLIGHT_LINE_WIDTH if self.highlighted else LINE_WIDTH)
            actor.SetVisibility(self.visible)
        for label in self.labels:
            text = label.GetTextProperty()
            text.SetColor(*rgb)
            text.SetOpacity(self.opacity)
            text.SetFontSize(18 if self.highlighted else 14)
            label.SetVisibility(self.visible)


def props_for_overlay(overlay: Overlay, surface: vtk.vtkPolyData | None) -> OverlayProps:
    """Props for a box overlay (built now) or a mask overlay (from ``surface``, may come later)."""
    if isinstance(overlay, BoxOverlay):
        props = OverlayProps(overlay, overlay.colour, DEFAULT_BOX_OPACITY)
        if overlay.boxes:
            props.actors.append(make_wireframe_actor(build_box_wireframe(overlay)))
            props.labels.extend(build_box_labels(overlay))
    elif isinstance(overlay, MaskOverlay):
        props = OverlayProps(overlay, overlay.colour, DEFAULT_SURFACE_OPACITY)
        if surface is not None and surface.GetNumberOfPolys() > 0:
            props.actors.append(make_surface_actor(surface))
    else:
        raise RenderError(f"cannot show {type(overlay).__name__} in the 3D view")
    props.apply_style()
    return props
