"""A report's results out as DICOM: a SEG of its masks and a TID 1500 SR of its text.

``export_report_dicom`` is what ``vividmed export`` calls. The SR holds the report text
and one measurement group per grounded phrase (its segment in the SEG, or its box), plus
the reader's own measurements, so another workstation shows which sentence belongs to
which region. Both must reference DICOM instances: an image read from DICOM is referenced through its own
files; a NIfTI or PNG image is first written as a DICOM series into ``OUT/image`` and the
SEG references that copy, so a PACS or another workstation gets image and results together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.measurements import Measurement
from vividmed_viewer.core.overlays import MaskOverlay
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.io.dicom_seg import export_reference_series, write_seg
from vividmed_viewer.io.dicom_sr import write_sr
from vividmed_viewer.io.errors import ImageWriteError

logger = logging.getLogger(__name__)


@dataclass
class DicomExport:
    """What an export wrote: the SEG (None without masks), the SR, any image series made."""

    folder: Path
    segmentation: Path | None = None
    structured_report: Path | None = None
    image_series: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def dicom_sources(volume: ImageVolume) -> list[Path]:
    """The DICOM files the volume was read from (empty for NIfTI, PNG, or built in code)."""
    paths = [Path(p) for p in volume.metadata.source_paths]
    if not paths or not all(p.is_file() for p in paths):
        return []
    try:
        first = pydicom.dcmread(paths[0], stop_before_pixels=True)
    except (OSError, pydicom.errors.InvalidDicomError):
        return []
    return paths if "SOPInstanceUID" in first else []


def reference_datasets(volume: ImageVolume, folder: Path, export: DicomExport) -> list[Dataset]:
    """The instances the results reference: the image's own DICOM files, else a copy."""
    sources = dicom_sources(volume)
    if sources:
        return [pydicom.dcmread(path, stop_before_pixels=True) for path in sources]
    image_folder = folder / "image"
    datasets = export_reference_series(volume, image_folder)
    export.image_series = sorted(image_folder.glob("*.dcm"))
    export.notes.append(
        f"the image was not DICOM: wrote it as a DICOM series ({len(datasets)} files) in "
        f"{image_folder} for the results to reference"
    )
    return datasets


def export_report_dicom(
    volume: ImageVolume,
    report: GroundedReport,
    folder: str | Path,
    measurements: Sequence[Measurement] = (),
) -> DicomExport:
    """Write ``OUT/seg.dcm`` (when the report has masks) and ``OUT/sr.dcm``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    export = DicomExport(folder)
    if not report.text.strip() and not measurements:
        raise ImageWriteError(f"{folder}: the report is empty and there is no measurement")
    datasets = reference_datasets(volume, folder, export)
    masks = [o for o in report.overlays.values() if isinstance(o, MaskOverlay) and not o.is_empty]
    segmentation = None
    if masks:
        export.segmentation = write_seg(report, datasets, folder / "seg.dcm")
        segmentation = pydicom.dcmread(export.segmentation)
    export.structured_report = write_sr(
        report,
        datasets,
        folder / "sr.dcm",
        segmentation=segmentation,
        measurements=measurements,
        volume=volume,
    )
    logger.info("exported %d masks and the report to %s", len(masks), folder)
    return export
