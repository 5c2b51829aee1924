"""Tell DICOM, NIfTI and PNG/JPEG apart by content first, extension second."""

from __future__ import annotations

import gzip
from enum import StrEnum
from pathlib import Path

from vividmed_viewer.io.errors import ImageNotFoundError, UnsupportedFormatError

NIFTI_SUFFIXES = (".nii", ".nii.gz")
RADIOGRAPH_SUFFIXES = (".png", ".jpg", ".jpeg")


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
    if name.endswith((".dcm", ".dicom", ".ima")) or "." not in name:
        return ImageFormat.DICOM  # DICOM without preamble (old files): the reader decides
    raise UnsupportedFormatError(
        path, "unknown format: not a DICOM, NIfTI (.nii/.nii.gz), PNG or JPEG file"
    )
