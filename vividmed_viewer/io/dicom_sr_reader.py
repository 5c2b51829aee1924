"""Reading a TID 1500 SR back: the report text and each grounded phrase's region.

The counterpart of :mod:`vividmed_viewer.io.dicom_sr` (which writes them): ``read_sr``
returns the text and, per measurement group with a tracking identifier, the phrase, its
target and its region (a segment of the referenced SEG, or a box's corners), so a
grounded report can be rebuilt on the open image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import highdicom as hd
import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.core.taxonomy import Taxonomy, default_taxonomy
from vividmed_viewer.io.dicom_sr import FINDING, LATERALITY_CODES, QUALITATIVE_EVALUATIONS


@dataclass(frozen=True)
class SRRegion:
    """One grounded phrase read back from an SR: its text, target and region.

    Exactly one of ``segment_number`` (a segment of the referenced SEG) and ``corners``
    (a box's 8 corners in patient LPS mm, shape (8, 3)) is set.
    """

    phrase: str
    target: str
    segment_number: int | None = None
    corners: NDArray[np.float64] | None = None
    segmentation_uid: str | None = None


def _target_name(
    taxonomy: Taxonomy,
    phrase: str,
    finding: hd.sr.CodedConcept | None,
    sites: Sequence[hd.sr.FindingSite],
) -> str:
    """The taxonomy target a group's finding type (and site laterality) codes.

    Where several targets share the code, the one the phrase names wins.
    """
    if finding is None:
        return ""
    if finding.value == FINDING.value and finding.scheme_designator == FINDING.scheme_designator:
        target = taxonomy.resolve(finding.meaning)
        return target.name if target else finding.meaning
    side = None
    for site in sites:
        if site.laterality is not None:
            side = next(
                (lat for lat, code in LATERALITY_CODES.items() if code == site.laterality), None
            )
    candidates = [
        target.name
        for target in taxonomy.targets
        if target.code is not None
        and target.code.value == finding.value
        and target.code.scheme == finding.scheme_designator
        and target.code.laterality == side
    ]
    named = taxonomy.resolve(phrase)
    if named is not None and named.name in candidates:
        return named.name
    return candidates[0] if candidates else finding.meaning


def _report_text(content: Dataset) -> str:
    for item in content.get("ContentSequence", []):
        name = item.ConceptNameCodeSequence[0]
        if name.CodeValue == QUALITATIVE_EVALUATIONS.value and item.ValueType == "CONTAINER":
            for child in item.get("ContentSequence", []):
                child_name = child.ConceptNameCodeSequence[0]
                if child.ValueType == "TEXT" and child_name.CodeValue == FINDING.value:
                    return str(child.TextValue)
    return ""


def read_sr(path: str | Path, taxonomy: Taxonomy | None = None) -> tuple[str, list[SRRegion]]:
    """The report text and the grounded regions (phrase, target, segment or box) of an SR.

    Regions come in the order they were written; the reader's own measurements (groups
    without a finding type) are left out.
    """
    taxonomy = taxonomy or default_taxonomy()
    try:
        sr = hd.sr.srread(path)
        report = hd.sr.MeasurementReport.from_sequence([sr])
    except (OSError, ValueError, AttributeError, RuntimeError, InvalidDicomError) as error:
        raise DicomError(path, f"not a readable TID 1500 DICOM SR: {error}") from error
    regions: list[SRRegion] = []
    for group in report.get_volumetric_roi_measurement_groups():
        if group.finding_type is None:
            continue
        phrase = group.tracking_identifier or ""
        target = _target_name(taxonomy, phrase, group.finding_type, group.finding_sites)
        segment = group.referenced_segment
        if segment is not None:
            numbers = segment.referenced_segment_numbers or []
            regions.append(
                SRRegion(
                    phrase,
                    target,
                    segment_number=int(numbers[0]) if numbers else None,
                    segmentation_uid=str(segment.referenced_sop_instance_uid),
                )
            )
            continue
        surface = group.roi
        if isinstance(surface, hd.sr.VolumeSurface):
            faces = [np.asarray(face, dtype=float)[:-1] for face in surface.graphic_data]
            corners = np.concatenate(faces, axis=0)
            regions.append(SRRegion(phrase, target, corners=corners))
    return _report_text(sr), regions
