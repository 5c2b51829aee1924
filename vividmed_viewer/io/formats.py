"""Tell DICOM, NIfTI and PNG/JPEG apart by content first, extension second."""

from __future__ import annotations

import gzip
from enum import StrEnum
from pathlib import Path

from vividmed_viewer.io.errors import ImageNotFoundError, UnsupportedFormatError

NIFTI_SUFFIXES = (".nii", ".nii.gz")
RADIOGRAPH_SUFFIXES = (".png", ".jpg", ".jpeg")
DICOM_SUFFIXES = (".dcm", ".dicom", ".ima")
# Longest first, so "scan.nii.gz" loses ".nii.gz", not only ".gz" or nothing.
IMAGE_SUFFIXES = tuple(
    sorted(NIFTI_SUFFIXES + RADIOGRAPH_SUFFIXES + DICOM_SUFFIXES, key=len, reverse=True)
)


class ImageFormat(StrEnum):
    DICOM = "DICOM"
    NIFTI = "NIfTI"
    RADIOGRAPH = "PNG/JPEG"


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        head = handle.read(size)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as handle:
                return handle.read(size)
        except (OSError, EOFError):
            return head
    return head


def detect_format(path: str | Path) -> ImageFormat:
    """The format of a file or folder (folders are DICOM); raises naming the path otherwise."""
    path = Path(path)
    if not path.exists():
        raise ImageNotFoundError(path, "no such file or folder")
    if path.is_dir():
        return ImageFormat.DICOM
    if path.stat().st_size == 0:
        raise UnsupportedFormatError(path, "the file is empty")
    head = _head(path, 352)
    if head[128:132] == b"DICM" or path.name.upper() == "DICOMDIR":
        return ImageFormat.DICOM
    if head[344:348] in (b"n+1\0", b"ni1\0") or head[4:8] in (b"n+2\0",):
        return ImageFormat.NIFTI
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff"):
        return ImageFormat.RADIOGRAPH
    name = path.name.lower()
    if name.endswith(NIFTI_SUFFIXES):
        return ImageFormat.NIFTI
    if name.endswith(RADIOGRAPH_SUFFIXES):
        return ImageFormat.RADIOGRAPH
    if name.endswith(DICOM_SUFFIXES) or "." not in name:
        return ImageFormat.DICOM  # DICOM without preamble (old files): the reader decides
    raise UnsupportedFormatError(
        path, "unknown format: not a DICOM, NIfTI (.nii/.nii.gz), PNG or JPEG file"
    )


def image_stem(path: str | Path) -> str:
    """A file's name without its image suffix (``scan.nii.gz`` → ``scan``, ``IM1.DCM`` → ``IM1``).

    The one rule for naming what belongs to an image: ``vividmed infer`` names a case's
    result bundle after it and the viewer's ``--results`` lookup finds the bundle by it.
    Folders and names with no image suffix keep their whole name.
    """
    name = Path(path).name
    lowered = name.lower()
    for suffix in IMAGE_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
