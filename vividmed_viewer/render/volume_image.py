"""Numpy (z, y, x) voxels → vtkImageData, and the matrix that places it in LPS space.

VTK indexes images (i, j, k) = (x, y, z) with x fastest, which is exactly the memory order
of a C-contiguous (z, y, x) numpy array, so voxels are shared without reordering. The image
keeps spacing but origin 0 and no direction; :func:`patient_matrix` maps its physical
coordinates to patient LPS millimetres (used as a prop's user matrix or a polydata transform).
"""

from __future__ import annotations

import logging
import math

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util import numpy_support
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkCommonMath import vtkMatrix4x4
from vtkmodules.vtkCommonTransforms import vtkTransform

from vividmed_viewer.core.geometry import GridGeometry

logger = logging.getLogger(__name__)

# Above this many voxels the 3D view renders a strided copy (CPU ray casting stays fluid).
DEFAULT_MAX_RENDER_VOXELS = 48_000_000


def patient_matrix(geometry: GridGeometry) -> vtkMatrix4x4:
    """4x4 map from VTK image physical coordinates (x, y, z mm, origin 0) to LPS mm."""
    matrix = vtkMatrix4x4()
    direction_xyz = geometry.direction[:, ::-1]
    for row in range(3):
        for column in range(3):
            matrix.SetElement(row, column, float(direction_xyz[row, column]))
        matrix.SetElement(row, 3, float(geometry.origin[row]))
    return matrix


def patient_transform(geometry: GridGeometry) -> vtkTransform:
    """The :func:`patient_matrix` as a vtkTransform (for vtkTransformFilter)."""
    transform = vtkTransform()
    transform.SetMatrix(patient_matrix(geometry))
    return transform


def to_vtk_image(
    voxels: NDArray[np.generic], spacing_zyx: tuple[float, float, float]
) -> vtkImageData:
    """Wrap a 3D (z, y, x) array as vtkImageData with spacing and origin 0 (no copy if contiguous)."""
    array = np.ascontiguousarray(voxels)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    depth, rows, columns = array.shape
    image = vtkImageData()
    image.SetDimensions(columns, rows, depth)
    image.SetSpacing(spacing_zyx[2], spacing_zyx[1], spacing_zyx[0])
    image.SetOrigin(0.0, 0.0, 0.0)
    scalars = numpy_support.numpy_to_vtk(array.reshape(-1), deep=False)
    scalars.SetName("voxels")
    image.GetPointData().SetScalars(scalars)
    return image


def downsample_factor(shape: tuple[int, ...], max_voxels: int) -> int:
    """Smallest integer stride whose strided grid holds at most ``max_voxels`` voxels."""
    count = math.prod(shape)
    if count <= max_voxels:
        return 1
    factor = max(2, math.ceil((count / max_voxels) ** (1.0 / 3.0)))
    while math.prod(math.ceil(s / factor) for s in shape) > max_voxels:
        factor += 1
    return factor


def strided_for_rendering(
    voxels: NDArray[np.generic],
    spacing_zyx: tuple[float, float, float],
    max_voxels: int = DEFAULT_MAX_RENDER_VOXELS,
) -> tuple[NDArray[np.generic], tuple[float, float, float], int]:
    """A strided copy of a large volume, its spacing, and the stride (1: the input itself).

    Voxel 0 keeps its position, so the grid's origin and direction stay valid.
    """
    factor = downsample_factor(voxels.shape, max_voxels)
    if factor == 1:
        return voxels, spacing_zyx, 1
    logger.info(
        "3D view renders a %d× downsampled copy of a %s volume (%.0f M voxels > %.0f M)",
        factor,
        "×".join(str(s) for s in voxels.shape),
        voxels.size / 1e6,
        max_voxels / 1e6,
    )
    strided = np.ascontiguousarray(voxels[::factor, ::factor, ::factor])
    spacing = (spacing_zyx[0] * factor, spacing_zyx[1] * factor, spacing_zyx[2] * factor)
    return strided, spacing, factor
