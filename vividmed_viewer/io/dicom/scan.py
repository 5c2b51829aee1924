"""Scan a folder, a DICOMDIR or one file into studies and series, from headers only."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from pathlib import Path

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.core.study import Series, SeriesKind, Study
from vividmed_viewer.io.dicom.dicomdir import is_dicomdir, referenced_files
from vividmed_viewer.io.dicom.header import SliceHeader
from vividmed_viewer.io.dicom.header_cache import cached_header
from vividmed_viewer.io.dicom.reading import NotDicomError, read_header
from vividmed_viewer.io.dicom.sop_classes import is_directory_object
from vividmed_viewer.io.dicom.stacking import build_stacks
from vividmed_viewer.io.errors import ImageNotFoundError, NoImagesFoundError

logger = logging.getLogger(__name__)


def _candidate_files(path: Path) -> list[Path]:
    """The files a scan reads: the DICOMDIR's references, a folder's files, or the file."""
    if path.is_dir():
        files: list[Path] = []
        for root, dirs, names in os.walk(path):
            dirs.sort()
            files.extend(Path(root) / name for name in sorted(names))
        return files
    if is_dicomdir(path):
        return referenced_files(path)
    return [path]


def read_headers(files: list[Path]) -> tuple[list[SliceHeader], list[str], int]:
    """Headers of the readable files, warnings for the corrupt ones, and a count of non-DICOM."""
    headers: list[SliceHeader] = []
    warnings: list[str] = []
    not_dicom = 0
    for file in files:
        try:
            header = cached_header(file)
        except NotDicomError as error:
            logger.debug("skipped: %s", error)
            not_dicom += 1
            continue
        except DicomError as error:
            message = f"skipped {file}: {error.problem}"
            logger.warning(message)
            warnings.append(message)
            continue
        if is_directory_object(header.sop_class_uid):
            continue
        headers.append(header)
    return headers, warnings, not_dicom


def _image_series(series_uid: str, headers: list[SliceHeader]) -> list[Series]:
    """One :class:`Series` per stack of the SeriesInstanceUID."""
    first = headers[0]
    result: list[Series] = []
    for stack in build_stacks(headers):
        result.append(
            Series(
                series_instance_uid=series_uid,
                modality=first.modality,
                description=first.series_description,
                kind=SeriesKind.IMAGE,
                files=[h.path for h in stack.headers],
                rows=stack.rows,
                columns=stack.columns,
                number_of_frames=len(stack.frames),
                orientation=tuple(stack.orientation or ()),
                sop_class_uid=stack.headers[0].sop_class_uid,
                series_number=first.series_number,
                stack_label=stack.label,
            )
        )
    return result


def _non_image_series(series_uid: str, headers: list[SliceHeader]) -> Series:
    first = headers[0]
    return Series(
        series_instance_uid=series_uid,
        modality=first.modality,
        description=first.series_description,
        kind=SeriesKind.NON_IMAGE,
        files=sorted(h.path for h in headers),
        number_of_frames=0,
        sop_class_uid=first.sop_class_uid,
        series_number=first.series_number,
    )


def group_into_studies(headers: list[SliceHeader]) -> list[Study]:
    """Group headers by study, then series, then stack; non-images listed separately."""
    by_study: dict[str, dict[str, list[SliceHeader]]] = defaultdict(lambda: defaultdict(list))
    for header in headers:
        by_study[header.study_instance_uid][header.series_instance_uid].append(header)
    studies: list[Study] = []
    for study_uid, by_series in by_study.items():
        first = next(iter(by_series.values()))[0]
        study = Study(
            study_instance_uid=study_uid,
            patient_name=first.patient_name,
            patient_id=first.patient_id,
            description=first.study_description,
            date=first.study_date,
        )
        for series_uid, series_headers in by_series.items():
            images = [h for h in series_headers if h.is_image]
            others = [h for h in series_headers if not h.is_image]
            if images:
                study.series.extend(_image_series(series_uid, images))
            if others:
                study.series.append(_non_image_series(series_uid, others))
        study.series.sort(
            key=lambda s: (s.kind != SeriesKind.IMAGE, s.series_number or 0, s.description)
        )
        studies.append(study)
    studies.sort(key=lambda s: (s.date, s.description, s.study_instance_uid))
    return studies


def scan_path(path: str | Path) -> list[Study]:
    """Studies and series in a folder (recursive), a DICOMDIR or one DICOM file.

    Only headers are read. Unreadable files are skipped with a warning that names them
    (on every study found, and logged). Raises :class:`NoImagesFoundError` when nothing
    DICOM is found.
    """
    path = Path(path)
    if not path.exists():
        raise ImageNotFoundError(path, "no such file or folder")
    files = _candidate_files(path)
    if path.is_file() and len(files) == 1:
        header = read_header(path)  # one file: its error is the answer
        headers, not_dicom = [header], 0
        warnings: list[str] = []
        if is_directory_object(header.sop_class_uid):
            headers = []
    else:
        headers, warnings, not_dicom = read_headers(files)
    if not headers:
        details = f"{len(files)} file(s) looked at"
        if not_dicom:
            details += f", {not_dicom} not DICOM"
        if warnings:
            details += f", {len(warnings)} unreadable: " + "; ".join(warnings[:3])
        raise NoImagesFoundError(path, f"no DICOM images or objects found ({details})")
    studies = group_into_studies(headers)
    for study in studies:
        study.warnings.extend(warnings)
    logger.info(
        "%s: %d studies, %d series from %d files",
        path,
        len(studies),
        sum(len(s.series) for s in studies),
        len(headers),
    )
    return studies
