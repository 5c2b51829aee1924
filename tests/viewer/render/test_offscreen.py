"""Offscreen layouts: viewports land where the layout says; PNGs round-trip; bad input is named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import vtk

from vividmed_viewer.core import RenderError, ValidationError
from vividmed_viewer.render.offscreen import OffscreenLayout, read_png, save_png


def coloured_renderer(rgb: tuple[float, float, float]) -> vtk.vtkRenderer:
    renderer = vtk.vtkRenderer()
    renderer.SetBackground(*rgb)
    return renderer


def test_mpr_layout_puts_each_renderer_in_its_quarter(tmp_path: Path) -> None:
    colours = [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1.0, 1.0, 1.0)]
    layout = OffscreenLayout([coloured_renderer(c) for c in colours], "mpr", (64, 48))
    frame = layout.render()
    assert frame.shape == (48, 64, 3)
    quarters = [frame[5, 5], frame[5, 60], frame[40, 5], frame[40, 60]]
    for pixel, colour in zip(quarters, colours, strict=True):
        assert tuple(pixel) == tuple(round(255 * c) for c in colour)
    path = save_png(frame, tmp_path / "mpr.png")
    assert np.array_equal(read_png(path), frame)


def test_empty_slots_are_black_and_errors_are_named(tmp_path: Path) -> None:
    frame = OffscreenLayout([coloured_renderer((1.0, 0.0, 0.0)), None], "mpr", (32, 32)).render()
    assert tuple(frame[28, 28]) == (0, 0, 0)
    with pytest.raises(ValidationError, match="unknown layout 'grid'"):
        OffscreenLayout([], "grid")
    with pytest.raises(ValidationError, match="layout '2d' has 1 views, got 2 renderers"):
        OffscreenLayout([vtk.vtkRenderer(), vtk.vtkRenderer()], "2d")
    with pytest.raises(RenderError, match="does not exist"):
        save_png(frame, tmp_path / "missing" / "x.png")
