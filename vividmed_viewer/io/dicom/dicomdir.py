"""DICOMDIR files: the index of a DICOM medium (CD/DVD/USB), listing the files it holds."""

from __future__ import annotations

import logging
from pathlib import Path

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.io.dicom.reading import has_dicom_preamble, read_dataset
from vividmed_viewer.io.dicom.sop_classes import is_directory_object

logger = logging.getLogger(__name__)


def is_dicomdir(path: Path) -> bool:
    """True for a file named DICOMDIR, or a DICOM file whose class is a media directory."""
    if not path.is_file():
        return False
    if path.name.upper() == "DICOMDIR":
        return True
    if not has_dicom_preamble(path):
        return False
    try:
        dataset = read_dataset(path, stop_before_pixels=True)
    except DicomError:
        return False
    meta = getattr(dataset, "file_meta", None)
    sop_class = str(meta.get("MediaStorageSOPClassUID", "")) if meta is not None else ""
    return is_directory_object(sop_class)


def referenced_files(path: Path) -> list[Path]:
    """The existing files a DICOMDIR refers to (missing ones are logged and left out)."""
    dataset = read_dataset(path, stop_before_pixels=True)
    records = dataset.get("DirectoryRecordSequence")
    if records is None:
        raise DicomError(path, "DICOMDIR has no directory records")
    root = path.parent
    files: list[Path] = []
    for record in records:
        file_id = record.get("ReferencedFileID")
        if not file_id:
            continue
        parts = [file_id] if isinstance(file_id, str) else list(file_id)
        candidate = root.joinpath(*parts)
        if not candidate.is_file():
            # Media written on Windows may differ in case: try the lower-case name too.
            lower = root.joinpath(*(p.lower() for p in parts))
            candidate = lower if lower.is_file() else candidate
        if candidate.is_file():
            files.append(candidate)
        else:
            logger.warning("%s: referenced file %s is missing", path, candidate)
    return files
