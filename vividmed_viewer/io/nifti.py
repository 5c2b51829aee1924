"""NIfTI (.nii, .nii.gz) volumes and masks: RAS+ (i, j, k) on disk, LPS (z, y, x) in memory."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import nibabel as nib
import numpy as np
from nibabel.filebasedimages import ImageFileError
from nibabel.spatialimages import HeaderDataError, ImageDataError
from numpy.typing import ArrayLike, NDArray

from vividmed_viewer.core.errors import NiftiError
from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.image_volume import ImageVolume, SpacingSource, VolumeMetadata
from vividmed_viewer.core.units import value_units
from vividmed_viewer.core.window import WINDOW_PRESETS
from vividmed_viewer.io.errors import ImageNotFoundError, ImageWriteError

logger = logging.getLogger(__name__)
RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0])
# Reorders nibabel's (i, j, k) axes to our (z, y, x) = (k, j, i).
IJK_TO_ZYX = [2, 1, 0]


def _chosen_affine(image: nib.Nifti1Image, path: Path, warnings: list[str]) -> NDArray[np.float64]:
    """The sform when its code is > 0, else the qform when its code is > 0, else a default."""
    sform, sform_code = image.get_sform(coded=True)
    if sform is not None and int(sform_code) > 0:
        return np.asarray(sform, dtype=float)
    qform, qform_code = image.get_qform(coded=True)
    if qform is not None and int(qform_code) > 0:
        return np.asarray(qform, dtype=float)
    warnings.append("no sform or qform in the header: orientation unknown, voxel sizes used")
    return np.asarray(image.affine, dtype=float)


def _orthonormal(matrix: NDArray[np.float64], warnings: list[str]) -> NDArray[np.float64]:
    """The nearest rotation/reflection to a direction matrix (warns when it was sheared)."""
    u, _, vt = np.linalg.svd(matrix)
    nearest = u @ vt
    if np.max(np.abs(nearest - matrix)) > 1e-3:
        warnings.append("the affine is sheared: shown with the nearest orthogonal orientation")
    return np.asarray(nearest)


def geometry_from_affine(
    affine: ArrayLike, shape_zyx: tuple[int, int, int], warnings: list[str] | None = None
) -> GridGeometry:
    """Our (z, y, x) LPS geometry from a NIfTI RAS+ affine over (i, j, k)."""
    warnings = [] if warnings is None else warnings
    affine = np.asarray(affine, dtype=float)
    lps_columns = RAS_TO_LPS @ affine[:3, :3][:, IJK_TO_ZYX]
    spacing = np.linalg.norm(lps_columns, axis=0)
    if np.any(spacing <= 0):
        raise NiftiError(Path("<affine>"), f"the affine has a zero voxel size: {spacing}")
    direction = _orthonormal(lps_columns / spacing[None, :], warnings)
    origin = RAS_TO_LPS @ affine[:3, 3]
    return GridGeometry(shape_zyx, tuple(spacing), tuple(origin), direction)


def affine_from_geometry(geometry: GridGeometry) -> NDArray[np.float64]:
    """The NIfTI RAS+ affine over (i, j, k) of a (z, y, x) LPS geometry."""
    affine = np.eye(4)
    lps_columns = geometry.direction * np.asarray(geometry.spacing)[None, :]
    affine[:3, :3] = (RAS_TO_LPS @ lps_columns)[:, IJK_TO_ZYX]
    affine[:3, 3] = RAS_TO_LPS @ np.asarray(geometry.origin)
    return affine


def _voxels(image: nib.Nifti1Image, path: Path, warnings: list[str]) -> NDArray[np.generic]:
    shape = image.shape
    if len(shape) > 4 and any(s > 1 for s in shape[4:]):
        raise NiftiError(path, f"{len(shape)}D images are not supported (shape {shape})")
    try:
        if len(shape) >= 4 and shape[3] > 1:
            warnings.append(f"4D file with {shape[3]} volumes: only the first volume is shown")
            data = np.asanyarray(image.dataobj[:, :, :, 0])
        else:
            data = np.asanyarray(image.dataobj)
            while data.ndim < 3:
                data = data[..., None]
            data = data.reshape(data.shape[:3])
    except (OSError, EOFError, ValueError, MemoryError, ImageDataError) as error:
        raise NiftiError(path, f"the voxel data cannot be read ({error})") from error
    if data.dtype == np.bool_:
        data = data.astype(np.uint8)
    if not (np.issubdtype(data.dtype, np.integer) or np.issubdtype(data.dtype, np.floating)):
        raise NiftiError(path, f"voxel type {data.dtype} is not supported")
    return np.ascontiguousarray(data.transpose(2, 1, 0))


def infer_modality(description: str, voxels: NDArray[np.generic]) -> tuple[str, str | None]:
    """NIfTI stores no modality: take ``modality=XX`` from the description, else guess CT.

    Returns the modality and a note saying how it was chosen (None when it was stated).
    Integer voxels whose minimum is air in Hounsfield units (-1100..-900) and whose maximum
    stays below 4000 are taken as CT; anything else is "OT" (other).
    """
    match = re.search(r"modality\s*=\s*([A-Za-z]{2})", description)
    if match:
        return match.group(1).upper(), None
    if np.issubdtype(voxels.dtype, np.integer) and voxels.size:
        low, high = int(voxels.min()), int(voxels.max())
        if -1100 <= low <= -900 and high < 4000:
            return "CT", "modality not stored in NIfTI: CT assumed from the Hounsfield value range"
    return "OT", None


def load_nifti(path: str | Path, modality: str | None = None) -> ImageVolume:
    """Load a NIfTI file (sform preferred, else qform) into LPS (z, y, x).

    Without ``modality`` it comes from :func:`infer_modality`.
    """
    path = Path(path)
    if not path.exists():
        raise ImageNotFoundError(path, "no such file")
    try:
        image = nib.load(path)
    except (
        ImageFileError,
        HeaderDataError,
        ImageDataError,
        OSError,
        EOFError,
        ValueError,
    ) as error:
        raise NiftiError(path, f"not a readable NIfTI file ({error})") from error
    if not isinstance(image, nib.Nifti1Image | nib.Nifti2Image):
        raise NiftiError(path, f"not a NIfTI image ({type(image).__name__})")
    warnings: list[str] = []
    voxels = _voxels(image, path, warnings)
    geometry = geometry_from_affine(_chosen_affine(image, path, warnings), voxels.shape, warnings)
    description = (
        np.asarray(image.header["descrip"])
        .tobytes()
        .rstrip(b"\0")
        .decode("latin-1", errors="replace")
    )
    if modality is None:
        modality, note = infer_modality(description, voxels)
        if note:
            warnings.append(note)
    metadata = VolumeMetadata(
        series_description=description.strip() or path.name,
        source_paths=[str(path)],
        units=value_units(modality),
        spacing_source=SpacingSource.NIFTI_HEADER,
    )
    for message in warnings:
        logger.warning("%s: %s", path, message)
    return ImageVolume(
        voxels=voxels,
        spacing=geometry.spacing,
        origin=geometry.origin,
        direction=geometry.direction,
        modality=modality,
        window=WINDOW_PRESETS["soft tissue"] if modality.upper() == "CT" else None,
        metadata=metadata,
        warnings=warnings,
    )


def save_nifti(array_zyx: ArrayLike, geometry: GridGeometry, path: str | Path) -> Path:
    """Write a (z, y, x) array (a volume or a mask) with the affine of its LPS geometry."""
    path = Path(path)
    data = np.asarray(array_zyx)
    if data.shape != geometry.shape:
        raise ImageWriteError(
            f"{path}: array shape {data.shape} does not match the geometry {geometry.shape}"
        )
    if data.dtype == np.bool_:
        data = data.astype(np.uint8)
    affine = affine_from_geometry(geometry)
    image = nib.Nifti1Image(data.transpose(2, 1, 0), affine)
    image.header.set_xyzt_units(xyz="mm")
    image.set_sform(affine, code=1)
    image.set_qform(affine, code=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        nib.save(image, path)
    except (OSError, ValueError) as error:
        raise ImageWriteError(f"{path}: cannot write NIfTI ({error})") from error
    return path
