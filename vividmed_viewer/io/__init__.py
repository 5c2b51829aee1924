"""Readers and writers: DICOM, NIfTI and PNG/JPEG into :class:`ImageVolume`, and back.

The names below load their module on first use (PEP 562), so importing one light
submodule (``vividmed_viewer.io.formats``, as the viewer does at start) does not load
pydicom, nibabel and the decoders; opening the first image does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_MODULE_OF = {
    "load_series": "dicom",
    "read_preview": "dicom",
    "scan_path": "dicom",
    "write_dicom_radiograph": "dicom",
    "write_dicom_series": "dicom",
    "ImageNotFoundError": "errors",
    "ImageWriteError": "errors",
    "LoadCancelled": "errors",
    "NoImagesFoundError": "errors",
    "UnsupportedFormatError": "errors",
    "ImageFormat": "formats",
    "detect_format": "formats",
    "load_image": "load_image",
    "load_nifti": "nifti",
    "save_nifti": "nifti",
    "CancelCheck": "progress",
    "ProgressCallback": "progress",
    "load_radiograph": "radiograph",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])
