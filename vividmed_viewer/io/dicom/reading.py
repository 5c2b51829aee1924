"""Read one DICOM header (no pixels), turning every failure into a message that names the file."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pydicom
from pydicom.errors import InvalidDicomError

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.io.dicom.header import SliceHeader, header_from_dataset

logger = logging.getLogger(__name__)

DICOM_EXTENSIONS = frozenset({".dcm", ".dicom", ".ima", ""})


class NotDicomError(DicomError):
    """The file is not DICOM at all (no preamble and not readable as a dataset)."""


def has_dicom_preamble(path: Path) -> bool:
    """True when bytes 128–131 of the file are ``DICM``."""
    try:
        with path.open("rb") as handle:
            handle.seek(128)
            return handle.read(4) == b"DICM"
    except OSError:
        return False


def _read_with_offset(
    path: Path, *, stop_before_pixels: bool
) -> tuple[pydicom.Dataset, int | None]:
    """``dcmread`` with pydicom's warnings logged and its errors named after the file.

    Also returns, when reading stopped before the pixels, the offset of the Pixel Data element.
    """
    try:
        with path.open("rb") as handle:
            handle.seek(128)
            force = handle.read(4) != b"DICM"
            handle.seek(0)
            if force and path.suffix.lower() not in DICOM_EXTENSIONS:
                raise NotDicomError(path, "not a DICOM file (no DICM preamble)")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                dataset = pydicom.dcmread(
                    handle, stop_before_pixels=stop_before_pixels, force=force
                )
                if not stop_before_pixels:
                    # Touch the pixel data now so a truncated file fails here.
                    _ = dataset.get("PixelData")
            offset = handle.tell() if stop_before_pixels else None
        for warning in caught:
            logger.debug("%s: pydicom: %s", path, warning.message)
    except InvalidDicomError as error:
        raise NotDicomError(path, f"not a DICOM file ({error})") from error
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise DicomError(path, f"unreadable or corrupt DICOM file ({error})") from error
    if force and "SOPClassUID" not in dataset and "Rows" not in dataset:
        raise NotDicomError(path, "not a DICOM file (no DICM preamble, no image attributes)")
    return dataset, offset


def read_dataset(path: Path, *, stop_before_pixels: bool) -> pydicom.Dataset:
    """``dcmread`` with pydicom's warnings logged and its errors named after the file."""
    return _read_with_offset(path, stop_before_pixels=stop_before_pixels)[0]


def read_header(path: Path) -> SliceHeader:
    """The header of one file; raises :class:`DicomError` naming the file when unreadable."""
    dataset, offset = _read_with_offset(path, stop_before_pixels=True)
    try:
        header = header_from_dataset(dataset, path)
        header.pixel_data_offset = offset
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
        raise DicomError(path, f"corrupt DICOM header ({error})") from error
    if not header.sop_class_uid and not header.sop_instance_uid and not header.rows:
        raise DicomError(path, "corrupt DICOM file: no SOP class, instance UID or image size")
    return header
