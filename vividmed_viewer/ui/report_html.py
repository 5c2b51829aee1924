"""Render a ``GroundedReport`` as rich text: each grounded phrase a link in its target colour."""

from __future__ import annotations

import html

from vividmed_viewer.core import BoxOverlay, GroundedReport, MaskOverlay, Phrase, Taxonomy
from vividmed_viewer.core.overlays import Colour, Overlay

LINK_SCHEME = "phrase"


def hex_colour(colour: Colour) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def phrase_colour(report: GroundedReport, phrase: Phrase, taxonomy: Taxonomy) -> Colour:
    """The colour of a phrase's first overlay, else its taxonomy target's colour."""
    for overlay_id in phrase.overlay_ids:
        overlay = report.overlays.get(overlay_id)
        if overlay is not None:
            return overlay.colour
    return taxonomy.colour_of(phrase.target)


def phrase_link(index: int) -> str:
    return f"{LINK_SCHEME}:{index}"


def phrase_index_from_link(link: str) -> int | None:
    """The phrase index a ``phrase:N`` link names, or None for any other link."""
    scheme, _, number = link.partition(":")
    if scheme != LINK_SCHEME or not number.isdigit():
        return None
    return int(number)


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def report_body_html(
    report: GroundedReport,
    taxonomy: Taxonomy,
    *,
    hovered: int | None = None,
    selected: int | None = None,
) -> str:
    """HTML of the model's text; the ``hovered`` phrase is drawn on its colour (lit up)."""
    text = report.text
    ordered = sorted(enumerate(report.phrases), key=lambda item: item[1].start)
    parts: list[str] = []
    cursor = 0
    for index, phrase in ordered:
        if phrase.start < cursor:  # overlapping spans: the first one wins
            continue
        parts.append(_escape(text[cursor : phrase.start]))
        colour = hex_colour(phrase_colour(report, phrase, taxonomy))
        style = f"color:{colour}; font-weight:600;"
        if index == hovered:
            style = f"color:#000000; background-color:{colour}; font-weight:600;"
        if index == selected:
            style += " text-decoration:underline;"
        else:
            style += " text-decoration:none;"
        parts.append(
            f'<a href="{phrase_link(index)}" style="text-decoration:none;">'
            f'<span style="{style}">{_escape(text[phrase.start : phrase.end])}</span></a>'
        )
        cursor = phrase.end
    parts.append(_escape(text[cursor:]))
    return f'<div style="font-size:12pt; line-height:140%;">{"".join(parts)}</div>'


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
