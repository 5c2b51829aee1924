"""Errors raised by the readers and writers (subclasses of the core error hierarchy)."""

from __future__ import annotations

from vividmed_viewer.core.errors import DicomError, ImageLoadError, VividMedError


class LoadCancelled(VividMedError):  # noqa: N818 (name fixed by the design)
    """The user cancelled a load before it finished."""


class ImageNotFoundError(ImageLoadError):
    """The path given does not exist."""


class UnsupportedFormatError(ImageLoadError):
    """The file exists but is not DICOM, NIfTI, PNG or JPEG."""


class NoImagesFoundError(DicomError):
    """A folder (or DICOMDIR) holds nothing that can be shown as an image."""


class ImageWriteError(VividMedError):
    """An image could not be written."""
