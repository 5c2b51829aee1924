"""Grounded text as rich text, shared by the report and chat panels; region sizes in words.

:func:`grounded_html` is the one renderer: each phrase becomes a link in the colour its
region is drawn in (the session's style, so a colour the user picks in the overlay list
shows here too), lit up while its region is hovered and underlined while selected.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping

from vividmed_viewer.core import BoxOverlay, GroundedText, MaskOverlay, Phrase, Taxonomy
from vividmed_viewer.core.open_image import OpenImage
from vividmed_viewer.core.overlays import Colour, Overlay

LINK_SCHEME = "phrase"


def hex_colour(colour: Colour) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def phrase_colour(
    phrase: Phrase,
    image: OpenImage | None,
    overlays: Mapping[str, Overlay],
    taxonomy: Taxonomy,
) -> Colour:
    """The colour of the phrase's first region as drawn, else as stored, else its target's."""
    for overlay_id in phrase.overlay_ids:
        shown = image.resolve(overlay_id) if image is not None else None
        if image is not None and shown is not None:
            return image.shown[shown].style.colour
        if overlay_id in overlays:
            return overlays[overlay_id].colour
    return taxonomy.colour_of(phrase.target)


def shown_ids(image: OpenImage, phrase: Phrase) -> tuple[str, ...]:
    """The shown overlays a phrase stands for now, as ``Session.select_phrase`` resolves them."""
    resolved = (image.resolve(i) for i in phrase.overlay_ids)
    return tuple(dict.fromkeys(i for i in resolved if i is not None))


def phrase_link(index: int, prefix: str = f"{LINK_SCHEME}:") -> str:
    return f"{prefix}{index}"


def phrase_index_from_link(link: str) -> int | None:
    """The phrase index a ``phrase:N`` link names, or None for any other link."""
    scheme, _, number = link.partition(":")
    if scheme != LINK_SCHEME or not number.isdigit():
        return None
    return int(number)


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def grounded_html(
    body: GroundedText,
    colour_of: Callable[[Phrase], Colour],
    *,
    link_prefix: str = f"{LINK_SCHEME}:",
    hovered: int | None = None,
    selected: int | None = None,
) -> str:
    """Escaped text with phrase ``i`` a link ``<link_prefix><i>`` in ``colour_of(phrase)``.

    The ``hovered`` phrase is drawn on its colour (lit up), the ``selected`` one underlined;
    of overlapping spans the first one wins.
    """
    ordered = sorted(enumerate(body.phrases), key=lambda item: item[1].start)
    parts: list[str] = []
    cursor = 0
    for index, phrase in ordered:
        if phrase.start < cursor:
            continue
        parts.append(_escape(body.text[cursor : phrase.start]))
        colour = hex_colour(colour_of(phrase))
        style = f"color:{colour}; font-weight:600;"
        if index == hovered:
            style = f"color:#000000; background-color:{colour}; font-weight:600;"
        underline = "underline" if index == selected else "none"
        parts.append(
            f'<a href="{phrase_link(index, link_prefix)}" style="text-decoration:none;">'
            f'<span style="{style} text-decoration:{underline};">'
            f"{_escape(body.phrase_text(phrase))}</span></a>"
        )
        cursor = phrase.end
    parts.append(_escape(body.text[cursor:]))
    return "".join(parts)


def _axis_name(overlay: BoxOverlay, axis: int) -> str:
    low, high = overlay.geometry.axis_letters(axis)
    return "".join(sorted((low, high), key="RLAPSI".index))


def _box_extent(overlay: BoxOverlay, box_index: int) -> str:
    """Extent in mm along the image axes, named by patient direction (e.g. RL × AP × SI)."""
    z, y, x = overlay.boxes[box_index].extent_mm(overlay.geometry)
    axes = (2, 1) if overlay.geometry.shape[0] == 1 else (2, 1, 0)
    sizes = {2: x, 1: y, 0: z}
    numbers = " × ".join(f"{sizes[a]:.1f}" for a in axes)
    names = " × ".join(_axis_name(overlay, a) for a in axes)
    return f"{numbers} mm ({names})"


def describe_overlay_size(overlay: Overlay) -> str:
    """A region's size as a radiologist reads it: mL (3D mask), mm² (2D mask), box extent."""
    if isinstance(overlay, MaskOverlay):
        if overlay.geometry.shape[0] == 1:
            return f"{overlay.target}: area {overlay.area_mm2_per_slice:,.0f} mm²"
        return f"{overlay.target}: volume {overlay.volume_ml:,.1f} mL"
    if not overlay.boxes:
        return f"{overlay.target}: no boxes"
    extents = [_box_extent(overlay, i) for i in range(len(overlay.boxes))]
    if len(extents) == 1:
        return f"{overlay.target}: {extents[0]}"
    return f"{overlay.target}: {len(extents)} boxes, " + "; ".join(extents)


def describe_selection(target: str, overlays: Iterable[Overlay]) -> str:
    """The line under a panel for a selected phrase: each region's size, or that it has none."""
    sizes = [describe_overlay_size(o) for o in overlays]
    return "<br>".join(sizes) or f"'{target}' has no region"
