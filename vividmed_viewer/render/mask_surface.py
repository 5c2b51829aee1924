"""Mask overlay → smoothed, decimated triangle surface in patient LPS coordinates.

A pure function of its inputs (no renderer, no window), so it may run in a worker thread.
Pipeline: crop to the region (+1 voxel of padding, so surfaces close at the grid edge) →
vtkDiscreteFlyingEdges3D → windowed-sinc smoothing → quadric decimation above a triangle
budget → transform to LPS → outward point normals.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkCommonDataModel import vtkPolyData
from vtkmodules.vtkFiltersCore import (
    vtkMassProperties,
    vtkPolyDataNormals,
    vtkQuadricDecimation,
    vtkWindowedSincPolyDataFilter,
)
from vtkmodules.vtkFiltersGeneral import vtkDiscreteFlyingEdges3D, vtkTransformFilter

from vividmed_viewer.core.errors import RenderError
from vividmed_viewer.core.overlays import MaskOverlay
from vividmed_viewer.render.volume_image import (
    downsample_factor,
    patient_transform,
    to_vtk_image,
)

logger = logging.getLogger(__name__)

DEFAULT_TARGET_TRIANGLES = 200_000
DEFAULT_MAX_SURFACE_VOXELS = 40_000_000


def _region(label_map: NDArray[np.integer], label: int | None) -> NDArray[np.uint8]:
    if label is None:
        return (label_map != 0).view(np.uint8)
    if label <= 0:
        raise RenderError(f"mask label must be a positive integer, got {label}")
    return (label_map == label).view(np.uint8)


def _cropped_padded(
    region: NDArray[np.uint8], stride: int
) -> tuple[NDArray[np.uint8], NDArray[np.float64]] | None:
    """The region's bounding box (strided, padded by one zero voxel) and its start index."""
    occupied = [np.flatnonzero(region.any(axis=axes)) for axes in ((1, 2), (0, 2), (0, 1))]
    if any(indices.size == 0 for indices in occupied):
        return None
    low = [int(indices[0]) for indices in occupied]
    high = [int(indices[-1]) + 1 for indices in occupied]
    crop = region[low[0] : high[0] : stride, low[1] : high[1] : stride, low[2] : high[2] : stride]
    padded = np.pad(crop, 1)
    start = np.asarray(low, dtype=float) - stride
    return padded, start


def _contour(
    cropped: tuple[NDArray[np.uint8], NDArray[np.float64]],
    spacing: tuple[float, float, float],
    stride: int,
) -> vtkPolyData:
    """Discrete flying edges of a padded crop, in the grid's physical (x, y, z) millimetres."""
    padded, start_index = cropped
    image = to_vtk_image(padded, (spacing[0] * stride, spacing[1] * stride, spacing[2] * stride))
    start_mm = start_index * np.asarray(spacing)
    image.SetOrigin(float(start_mm[2]), float(start_mm[1]), float(start_mm[0]))
    contour = vtkDiscreteFlyingEdges3D()
    contour.SetInputData(image)
    contour.SetValue(0, 1)
    contour.ComputeNormalsOff()
    contour.ComputeGradientsOff()
    contour.ComputeScalarsOff()
    contour.Update()
    surface = vtkPolyData()
    surface.ShallowCopy(contour.GetOutput())
    return surface


def build_mask_surface(
    overlay: MaskOverlay,
    label: int | None = None,
    *,
    smoothing_iterations: int = 20,
    target_triangles: int = DEFAULT_TARGET_TRIANGLES,
    max_voxels: int = DEFAULT_MAX_SURFACE_VOXELS,
) -> vtkPolyData:
    """Closed surface of ``overlay``'s non-zero voxels (or of one ``label``), in LPS mm.

    Returns an empty vtkPolyData for an empty region. Crops larger than ``max_voxels`` are
    strided first (the surface stays in the right place, with coarser detail).
    """
    region = _region(np.asarray(overlay.label_map), label)
    cropped = _cropped_padded(region, 1)
    if cropped is None:
        logger.info("mask '%s' is empty: no surface", overlay.target)
        return vtkPolyData()
    stride = 1
    if cropped[0].size > max_voxels:
        stride = downsample_factor(cropped[0].shape, max_voxels)
        strided = _cropped_padded(region, stride)
        assert strided is not None
        cropped = strided
        logger.info("surface of '%s' built on a %d× strided grid", overlay.target, stride)
    surface = _contour(cropped, overlay.geometry.spacing, stride)
    triangles = surface.GetNumberOfPolys()
    if target_triangles > 0 and triangles > 2 * target_triangles:
        # Decimating millions of triangles takes seconds; a coarser grid takes milliseconds.
        coarser = stride * math.ceil(math.sqrt(triangles / (2.0 * target_triangles)))
        strided = _cropped_padded(region, coarser)
        assert strided is not None
        surface = _contour(strided, overlay.geometry.spacing, coarser)
        logger.info(
            "surface of '%s': %d triangles at stride %d, rebuilt at stride %d",
            overlay.target,
            triangles,
            stride,
            coarser,
        )

    if smoothing_iterations > 0 and surface.GetNumberOfPoints() > 0:
        smoother = vtkWindowedSincPolyDataFilter()
        smoother.SetInputData(surface)
        smoother.SetNumberOfIterations(smoothing_iterations)
        smoother.SetPassBand(0.05)
        smoother.BoundarySmoothingOff()
        smoother.FeatureEdgeSmoothingOff()
        smoother.NonManifoldSmoothingOn()
        smoother.NormalizeCoordinatesOn()
        smoother.Update()
        surface = smoother.GetOutput()

    triangles = surface.GetNumberOfPolys()
    if target_triangles > 0 and triangles > 1.25 * target_triangles:
        decimate = vtkQuadricDecimation()
        decimate.SetInputData(surface)
        decimate.SetTargetReduction(1.0 - target_triangles / triangles)
        decimate.VolumePreservationOn()
        decimate.Update()
        surface = decimate.GetOutput()

    to_patient = vtkTransformFilter()
    to_patient.SetInputData(surface)
    to_patient.SetTransform(patient_transform(overlay.geometry))
    normals = vtkPolyDataNormals()
    normals.SetInputConnection(to_patient.GetOutputPort())
    normals.SplittingOff()
    normals.ConsistencyOn()
    normals.AutoOrientNormalsOn()
    normals.Update()
    result = vtkPolyData()
    result.ShallowCopy(normals.GetOutput())
    logger.debug(
        "surface of '%s': %d triangles (%d before decimation)",
        overlay.target,
        result.GetNumberOfPolys(),
        triangles,
    )
    return result


def surface_volume_and_area(surface: vtkPolyData) -> tuple[float, float]:
    """Enclosed volume (mm³) and surface area (mm²) of a closed triangle surface."""
    if surface.GetNumberOfPolys() == 0:
        return 0.0, 0.0
    properties = vtkMassProperties()
    properties.SetInputData(surface)
    properties.Update()
    return float(properties.GetVolume()), float(properties.GetSurfaceArea())
