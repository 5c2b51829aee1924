"""One entry point that opens any supported image: DICOM (file, folder, DICOMDIR), NIfTI, PNG/JPEG."""

from __future__ import annotations

import logging
from pathlib import Path

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.series_choice import default_series
from vividmed_viewer.core.study import Series, Study
from vividmed_viewer.io.dicom import load_series, scan_path
from vividmed_viewer.io.errors import NoImagesFoundError
from vividmed_viewer.io.formats import ImageFormat, detect_format
from vividmed_viewer.io.nifti import load_nifti
from vividmed_viewer.io.progress import CancelCheck, ProgressCallback
from vividmed_viewer.io.radiograph import load_radiograph

logger = logging.getLogger(__name__)


def choose_series(
    studies: list[Study], path: Path, series_key: str | None
) -> tuple[Series, list[str]]:
    """The requested series (by key or SeriesInstanceUID), else :func:`default_series`.

    Returns the series and notes about the others.
    """
    images = [s for study in studies for s in study.image_series]
    others = [s for study in studies for s in study.series if s not in images]
    if series_key is not None:
        matches = [s for s in images if series_key in (s.key, s.series_instance_uid)]
        if not matches:
            known = [s for study in studies for s in study.series]
            if any(series_key in (s.key, s.series_instance_uid) for s in known):
                raise DicomError(path, f"series {series_key} is not an image and cannot be shown")
            keys = ", ".join(s.key for s in images) or "none"
            raise DicomError(path, f"no image series {series_key!r} here (image series: {keys})")
        return matches[0], []
    chosen = default_series(studies)
    if chosen is None:
        kinds = ", ".join(sorted({s.modality for s in others}))
        raise NoImagesFoundError(
            path, f"no image series, only non-image objects ({kinds}) that cannot be shown"
        )
    notes: list[str] = []
    if len(images) > 1:
        notes.append(
            f"{len(images) - 1} other image series in {path}; pick one with its series key"
        )
    if others:
        notes.append(f"{len(others)} non-image object series listed only (SR, SEG, ...)")
    return chosen, notes


def load_image(
    path: str | Path,
    series_key: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    modality: str | None = None,
) -> ImageVolume:
    """Open a DICOM file/folder/DICOMDIR, a NIfTI file or a PNG/JPEG radiograph.

    For DICOM, ``series_key`` (a :attr:`Series.key` or SeriesInstanceUID) picks the series;
    without it :func:`~vividmed_viewer.core.series_choice.default_series` picks it (the image
    series with the most slices) and a note says others exist.
    ``modality`` sets the modality of NIfTI and PNG/JPEG images (NIfTI: else from its
    description or the value range; PNG/JPEG: "OT" otherwise).
    """
    path = Path(path)
    image_format = detect_format(path)
    if image_format is ImageFormat.NIFTI:
        volume = load_nifti(path, modality=modality)
    elif image_format is ImageFormat.RADIOGRAPH:
        volume = load_radiograph(path, modality=modality or "OT")
    else:
        studies = scan_path(path)
        series, notes = choose_series(studies, path, series_key)
        volume = load_series(series, progress=progress, cancel=cancel)
        study_warnings = [w for study in studies for w in study.warnings]
        volume.warnings[:0] = [w for w in dict.fromkeys(study_warnings) if w not in volume.warnings]
        volume.metadata.notes.extend(notes)
        return volume
    if progress is not None:
        progress(1, 1)
    return volume
