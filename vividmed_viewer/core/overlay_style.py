"""How one overlay is drawn: the single definition every view and list shares.

The session (:mod:`vividmed_viewer.core.session`) keeps one :class:`OverlayStyle` per shown
overlay; the slice and 3D scenes draw with it and the overlay list edits it. A new overlay
starts from :func:`default_style` (its own colour, :data:`DEFAULT_OPACITY`), and a style the
user chose is never reset by regions that arrive later.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.overlays import Colour, Overlay, validate_colour

MaskDisplay = Literal["fill", "outline", "both"]
MASK_DISPLAYS: tuple[MaskDisplay, ...] = ("fill", "outline", "both")
DEFAULT_OPACITY = 0.5
DEFAULT_MASK_DISPLAY: MaskDisplay = "both"


@dataclass(frozen=True)
class OverlayStyle:
    """Visibility, colour (0–255 RGB), opacity (0–1) and, for masks, fill/outline."""

    visible: bool = True
    colour: Colour = (255, 200, 0)
    opacity: float = DEFAULT_OPACITY
    mask_display: MaskDisplay = DEFAULT_MASK_DISPLAY

    def __post_init__(self) -> None:
        if not 0.0 <= float(self.opacity) <= 1.0:
            raise ValidationError(f"overlay opacity must be within 0..1, got {self.opacity}")
        if self.mask_display not in MASK_DISPLAYS:
            raise ValidationError(
                f"unknown mask display {self.mask_display!r} (expected fill, outline or both)"
            )
        object.__setattr__(self, "colour", validate_colour(self.colour))
        object.__setattr__(self, "opacity", float(self.opacity))

    @property
    def line_opacity(self) -> float:
        """Opacity of lines (box edges, outlines): twice the fill's, so thin lines stay seen."""
        return min(1.0, 2.0 * self.opacity)

    def changed(self, **changes: Any) -> OverlayStyle:
        """This style with ``changes`` (None values are ignored: "leave as it is")."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def default_style(
    overlay: Overlay, mask_display: MaskDisplay = DEFAULT_MASK_DISPLAY
) -> OverlayStyle:
    """The style a newly shown overlay starts with."""
    return OverlayStyle(colour=overlay.colour, mask_display=mask_display)
