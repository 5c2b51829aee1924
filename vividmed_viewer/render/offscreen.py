"""Render scenes in a layout offscreen to an RGB array and PNG (screenshots, tests, benchmarks).

Layouts: ``"2d"`` and ``"3d"`` show one renderer over the whole image; ``"mpr"`` shows four
in a 2×2 grid (axial top-left, coronal top-right, sagittal bottom-left, 3D bottom-right).
Works without a display (VTK falls back to EGL) and under Xvfb.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util import numpy_support
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkIOImage import vtkPNGReader, vtkPNGWriter
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow, vtkWindowToImageFilter

from vividmed_viewer.core.errors import RenderError, ValidationError
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)

Viewport = tuple[float, float, float, float]  # xmin, ymin, xmax, ymax (normalised)
LAYOUT_VIEWPORTS: dict[str, tuple[Viewport, ...]] = {
    "2d": ((0.0, 0.0, 1.0, 1.0),),
    "3d": ((0.0, 0.0, 1.0, 1.0),),
    "mpr": (
        (0.0, 0.5, 0.5, 1.0),
        (0.5, 0.5, 1.0, 1.0),
        (0.0, 0.0, 0.5, 0.5),
        (0.5, 0.0, 1.0, 0.5),
    ),
}
SEPARATOR_RGB = (60, 60, 60)


class OffscreenLayout:
    """An offscreen vtkRenderWindow showing renderers in a layout's viewports."""

    def __init__(
        self,
        renderers: Sequence[vtkRenderer | None],
        layout: str = "2d",
        size: tuple[int, int] = (512, 512),
    ) -> None:
        if layout not in LAYOUT_VIEWPORTS:
            raise ValidationError(f"unknown layout {layout!r} (expected 2d, mpr or 3d)")
        viewports = LAYOUT_VIEWPORTS[layout]
        if len(renderers) > len(viewports):
            raise ValidationError(
                f"layout {layout!r} has {len(viewports)} views, got {len(renderers)} renderers"
            )
        if min(size) < 16:
            raise ValidationError(f"image size must be at least 16×16 pixels, got {size}")
        self.layout = layout
        self.size = (int(size[0]), int(size[1]))
        self.window = vtkRenderWindow()
        self.window.SetOffScreenRendering(True)
        self.window.SetSize(*self.size)
        for renderer, viewport in zip(renderers, viewports, strict=False):
            if renderer is None:
                renderer = vtkRenderer()
                renderer.SetBackground(0.0, 0.0, 0.0)
            renderer.SetViewport(*viewport)
            self.window.AddRenderer(renderer)
        self.renderers = list(renderers)

    def render(self) -> NDArray[np.uint8]:
        """Render and return the frame as (height, width, 3) RGB, top row first."""
        self.window.Render()
        frame = read_frame(self.window)
        height, width, _ = frame.shape
        if self.layout == "mpr":
            frame[height // 2 - 1 : height // 2 + 1, :] = SEPARATOR_RGB
            frame[:, width // 2 - 1 : width // 2 + 1] = SEPARATOR_RGB
        return frame

    def close(self) -> None:
        self.window.Finalize()


def read_frame(window: vtkRenderWindow) -> NDArray[np.uint8]:
    """The last rendered frame of ``window`` as (height, width, 3) RGB, top row first.

    The one place frames are read back from VTK (offscreen scenes, the 3D snapshot and
    the app's screenshots all call it).
    """
    grabber = vtkWindowToImageFilter()
    grabber.SetInput(window)
    grabber.SetInputBufferTypeToRGB()
    grabber.ReadFrontBufferOff()
    grabber.Update()
    image = grabber.GetOutput()
    width, height, _ = image.GetDimensions()
    scalars = image.GetPointData().GetScalars()
    if scalars is None:
        raise RenderError("the render window returned no pixels")
    pixels = numpy_support.vtk_to_numpy(scalars).reshape(height, width, -1)[..., :3]
    return np.ascontiguousarray(pixels[::-1])


def save_png(frame: NDArray[np.uint8], path: str | Path) -> Path:
    """Write an (height, width, 3) RGB frame as PNG; returns the path written."""
    target = Path(path)
    if not target.parent.exists():
        raise RenderError(f"{target}: folder {target.parent} does not exist")
    height, width, _ = frame.shape
    image = vtkImageData()
    image.SetDimensions(width, height, 1)
    flat = np.ascontiguousarray(frame[::-1]).reshape(-1, 3)
    image.GetPointData().SetScalars(numpy_support.numpy_to_vtk(flat, deep=True))
    writer = vtkPNGWriter()
    writer.SetFileName(str(target))
    writer.SetInputData(image)
    writer.Write()
    if writer.GetErrorCode() or not target.exists():
        raise RenderError(f"{target}: could not write the PNG file")
    return target


def read_png(path: str | Path) -> NDArray[np.uint8]:
    """Read a PNG written by :func:`save_png` back as (height, width, 3) RGB."""
    reader = vtkPNGReader()
    reader.SetFileName(str(path))
    reader.Update()
    image = reader.GetOutput()
    width, height, _ = image.GetDimensions()
    pixels = numpy_support.vtk_to_numpy(image.GetPointData().GetScalars())
    return np.ascontiguousarray(pixels.reshape(height, width, -1)[::-1, :, :3])
