"""Choose CPU ray casting or GPU volume rendering from the OpenGL the window actually got."""

from __future__ import annotations

import logging
import os
from typing import Literal

from vtkmodules.vtkRenderingCore import vtkRenderWindow

from vividmed_viewer.core.errors import RenderError
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)

logger = logging.getLogger(__name__)

RenderMode = Literal["auto", "cpu", "gpu"]
RENDER_MODE_ENVIRONMENT = "VIVIDMED_VOLUME_RENDER_MODE"
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "swiftshader", "software rasterizer")


def opengl_renderer_name(window: vtkRenderWindow | None) -> str | None:
    """The "OpenGL renderer string" of an initialised window, None when not known yet."""
    if window is None or not window.GetGenericContext():
        return None
    for line in (window.ReportCapabilities() or "").splitlines():
        if line.lower().startswith("opengl renderer string:"):
            return line.split(":", 1)[1].strip()
    return None


def is_software_opengl(renderer_name: str) -> bool:
    lowered = renderer_name.lower()
    return any(name in lowered for name in SOFTWARE_RENDERERS)


def resolve_render_mode(
    requested: RenderMode, window: vtkRenderWindow | None
) -> Literal["cpu", "gpu"]:
    """``cpu``/``gpu`` as asked; ``auto``: GPU only on hardware OpenGL, CPU ray casting otherwise.

    The environment variable ``VIVIDMED_VOLUME_RENDER_MODE`` (cpu/gpu) overrides ``auto``.
    An unknown renderer (window not initialised yet) counts as software: CPU ray casting
    works everywhere, GPU mode on a software rasteriser is ~10× slower.
    """
    if requested == "auto":
        override = os.environ.get(RENDER_MODE_ENVIRONMENT, "").strip().lower()
        if override in ("cpu", "gpu"):
            return "cpu" if override == "cpu" else "gpu"
        if override:
            raise RenderError(f"{RENDER_MODE_ENVIRONMENT} must be 'cpu' or 'gpu', got {override!r}")
        name = opengl_renderer_name(window)
        return "gpu" if name is not None and not is_software_opengl(name) else "cpu"
    if requested in ("cpu", "gpu"):
        return requested
    raise RenderError(f"volume render mode must be 'auto', 'cpu' or 'gpu', got {requested!r}")
