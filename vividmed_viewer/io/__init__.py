"""Readers and writers: DICOM, NIfTI and PNG/JPEG into :class:`ImageVolume`, and back."""

from vividmed_viewer.io.dicom import (
    load_series,
    read_preview,
    scan_path,
    write_dicom_radiograph,
    write_dicom_series,
)
from vividmed_viewer.io.errors import (
    ImageNotFoundError,
    ImageWriteError,
    LoadCancelled,
    NoImagesFoundError,
    UnsupportedFormatError,
)
from vividmed_viewer.io.formats import ImageFormat, detect_format
from vividmed_viewer.io.load_image import load_image
from vividmed_viewer.io.nifti import load_nifti, save_nifti
from vividmed_viewer.io.progress import CancelCheck, ProgressCallback
from vividmed_viewer.io.radiograph import load_radiograph

__all__ = [
    "CancelCheck",
    "ImageFormat",
    "ImageNotFoundError",
    "ImageWriteError",
    "LoadCancelled",
    "NoImagesFoundError",
    "ProgressCallback",
    "UnsupportedFormatError",
    "detect_format",
    "load_image",
    "load_nifti",
    "load_radiograph",
    "load_series",
    "read_preview",
    "save_nifti",
    "scan_path",
    "write_dicom_radiograph",
    "write_dicom_series",
]
