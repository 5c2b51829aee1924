"""Render a VolumeScene offscreen and read the pixels back (tests, benchmarks, screenshots)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkIOImage import vtkPNGWriter
from vtkmodules.vtkRenderingCore import vtkRenderWindow, vtkWindowToImageFilter

from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)
from vividmed_viewer.render.offscreen import read_frame
from vividmed_viewer.render.volume_scene import VolumeScene


class OffscreenVolumeWindow:
    """An offscreen vtkRenderWindow holding one scene's renderer."""

    def __init__(self, scene: VolumeScene, size: tuple[int, int] = (512, 512)) -> None:
        self.scene = scene
        self.window = vtkRenderWindow()
        self.window.SetOffScreenRendering(True)
        self.window.SetSize(*size)
        self.window.AddRenderer(scene.renderer)
        self.window.Render()
        scene.refresh_render_mode()

    def render(self) -> None:
        self.window.Render()

    def pixels(self) -> NDArray[np.uint8]:
        """The last rendered frame as (height, width, 3) RGB, top row first."""
        return read_frame(self.window)

    def save_png(self, path: str) -> None:
        """Write the current frame to a PNG file."""
        grabber = vtkWindowToImageFilter()
        grabber.SetInput(self.window)
        grabber.ReadFrontBufferOff()
        writer = vtkPNGWriter()
        writer.SetFileName(path)
        writer.SetInputConnection(grabber.GetOutputPort())
        writer.Write()

    def close(self) -> None:
        self.window.RemoveRenderer(self.scene.renderer)
        self.window.Finalize()
