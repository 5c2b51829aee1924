"""DICOM SEG: a report's masks out as a highdicom Segmentation, and SEG files back as overlays.

One BINARY segment per mask target, coded with the taxonomy's SNOMED CT concept (side as a
laterality modifier, DICOM CID 244) and property category (CID 7150). A model's masks are
AUTOMATIC with the model's name and checkpoint as algorithm identification; ground truth
and a person's masks are MANUAL. Masks live on the image grid, which is the referenced
series' grid: slices are matched to instances by image position, never by file order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from vividmed_viewer.core.errors import DicomError, ValidationError
from vividmed_viewer.core.geometry import GridGeometry, direction_from_dicom
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlays import MaskOverlay
from vividmed_viewer.core.provenance import Provenance, SourceKind
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.core.taxonomy import ConceptCode, Laterality, Taxonomy, default_taxonomy
from vividmed_viewer.io.dicom.writer import write_dicom_series
from vividmed_viewer.io.errors import ImageWriteError

logger = logging.getLogger(__name__)

POSITION_TOLERANCE_MM = 0.01
LATERALITY_CODES = {  # DICOM CID 244
    Laterality.LEFT: hd.sr.CodedConcept("7771000", "SCT", "Left"),
    Laterality.RIGHT: hd.sr.CodedConcept("24028007", "SCT", "Right"),
    Laterality.BOTH: hd.sr.CodedConcept("51440002", "SCT", "Right and left"),
}
SOFTWARE_NAME = "VividMed Viewer"


class SegmentationWriteError(ImageWriteError):
    """A report's masks could not be written as DICOM SEG."""


@dataclass(frozen=True)
class ReferenceSeries:
    """The instances of a single-frame series in slice order, with the grid they span."""

    datasets: list[Dataset]
    geometry: GridGeometry

    @property
    def series_instance_uid(self) -> str:
        return str(self.datasets[0].SeriesInstanceUID)

    def slice_index_at(self, position: NDArray[np.float64]) -> int | None:
        """The slice whose ImagePositionPatient is ``position`` (within 0.01 mm), if any."""
        for index, dataset in enumerate(self.datasets):
            found = np.asarray(dataset.ImagePositionPatient, dtype=float)
            if np.linalg.norm(found - position) <= POSITION_TOLERANCE_MM:
                return index
        return None


def reference_series(datasets: Sequence[Dataset]) -> ReferenceSeries:
    """Sort single-frame instances of one series along their normal and describe their grid."""
    if not datasets:
        raise ValidationError("a DICOM SEG needs the instances of the series it segments")
    if len({str(ds.SeriesInstanceUID) for ds in datasets}) != 1:
        raise ValidationError("the reference instances belong to more than one series")
    missing = [
        str(ds.SOPInstanceUID)
        for ds in datasets
        if "ImagePositionPatient" not in ds or "ImageOrientationPatient" not in ds
    ]
    if missing:
        raise ValidationError(
            f"reference instances without ImagePositionPatient/ImageOrientationPatient "
            f"(cannot place a segmentation): {missing[:3]}"
        )
    orientation = np.asarray(datasets[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(orientation[:3], orientation[3:])
    ordered = sorted(
        datasets, key=lambda ds: float(np.asarray(ds.ImagePositionPatient, dtype=float) @ normal)
    )
    positions = np.array([np.asarray(ds.ImagePositionPatient, dtype=float) for ds in ordered])
    row_spacing, column_spacing = (float(v) for v in ordered[0].PixelSpacing)
    if len(ordered) > 1:
        slice_spacing = float(np.linalg.norm(positions[1] - positions[0]))
    else:
        slice_spacing = float(ordered[0].get("SliceThickness") or 1.0)
    geometry = GridGeometry(
        shape=(len(ordered), int(ordered[0].Rows), int(ordered[0].Columns)),
        spacing=(slice_spacing, row_spacing, column_spacing),
        origin=tuple(positions[0]),
        direction=direction_from_dicom(orientation, normal),
    )
    return ReferenceSeries(ordered, geometry)


def export_reference_series(
    volume: ImageVolume, folder: str | Path, *, series_description: str = "VividMed image"
) -> list[Dataset]:
    """Write a NIfTI/PNG image as a DICOM series (so a SEG can reference it) and read it back."""
    paths = write_dicom_series(volume, folder, series_description=series_description)
    return [pydicom.dcmread(path) for path in paths]


def _code(code: ConceptCode) -> hd.sr.CodedConcept:
    return hd.sr.CodedConcept(code.value, code.scheme, code.meaning)


def _masks_of(source: GroundedReport | Sequence[MaskOverlay]) -> list[MaskOverlay]:
    overlays = source.overlays.values() if isinstance(source, GroundedReport) else source
    return [o for o in overlays if isinstance(o, MaskOverlay) and not o.is_empty]


def _merge_by_target(masks: list[MaskOverlay]) -> dict[str, MaskOverlay]:
    """One overlay per target (a report may hold several masks of one target): their union."""
    merged: dict[str, MaskOverlay] = {}
    for mask in masks:
        if mask.target in merged:
            first = merged[mask.target]
            union = ((first.label_map > 0) | (mask.label_map > 0)).astype(np.uint8)
            merged[mask.target] = MaskOverlay(mask.target, union, first.geometry, first.colour)
        else:
            merged[mask.target] = mask
    return merged


def _on_reference_grid(mask: MaskOverlay, reference: ReferenceSeries, path: Path) -> NDArray:
    """The mask as (instances in slice order, rows, columns), slices placed by position."""
    grid, target = mask.geometry, reference.geometry
    same_plane = (
        grid.shape[1:] == target.shape[1:]
        and np.allclose(grid.spacing[1:], target.spacing[1:], atol=1e-4)
        and np.allclose(grid.direction[:, 1:], target.direction[:, 1:], atol=1e-4)
    )
    if not same_plane:
        raise SegmentationWriteError(
            f"{path}: mask '{mask.target}' is not on the reference series' grid "
            f"(mask {grid.shape}, series {target.shape})"
        )
    out = np.zeros(target.shape, dtype=np.uint8)
    for z in range(grid.shape[0]):
        index = reference.slice_index_at(grid.index_to_patient((z, 0, 0)))
        if index is None:
            if np.any(mask.label_map[z]):
                raise SegmentationWriteError(
                    f"{path}: slice {z} of mask '{mask.target}' lies at no instance of the "
                    "reference series"
                )
            continue
        out[index] = mask.label_map[z] > 0
    return out


def _segment_description(
    number: int, mask: MaskOverlay, taxonomy: Taxonomy, provenance: Provenance, path: Path
) -> hd.seg.SegmentDescription:
    target = taxonomy.resolve(mask.target)
    if target is None or target.code is None or target.property_category is None:
        raise SegmentationWriteError(
            f"{path}: target '{mask.target}' has no code in the taxonomy (needed for DICOM SEG)"
        )
    if provenance.kind is SourceKind.MODEL:
        algorithm_type = hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC
        algorithm: hd.AlgorithmIdentificationSequence | None = hd.AlgorithmIdentificationSequence(
            name=provenance.name or "VividMed",
            family=codes.cid7162.ArtificialIntelligence,
            version=provenance.checkpoint or provenance.weights.value,
        )
    else:
        algorithm_type = hd.seg.SegmentAlgorithmTypeValues.MANUAL
        algorithm = None
    description = hd.seg.SegmentDescription(
        segment_number=number,
        segment_label=target.name,
        segmented_property_category=_code(target.property_category),
        segmented_property_type=_code(target.code),
        algorithm_type=algorithm_type,
        algorithm_identification=algorithm,
        tracking_uid=generate_uid(),
        tracking_id=target.name,
        display_color=hd.color.CIELabColor.from_rgb(*target.colour),
    )
    if target.code.laterality is not None:
        item = description.SegmentedPropertyTypeCodeSequence[0]
        item.SegmentedPropertyTypeModifierCodeSequence = [LATERALITY_CODES[target.code.laterality]]
    return description


def _content_description(provenance: Provenance) -> str:
    """Who wrote the masks, in the default character repertoire (ASCII, at most 64 chars)."""
    text = f"{provenance.kind.value}: {provenance.name or 'unnamed'}"
    return text.encode("ascii", "replace").decode("ascii")[:64]


def write_seg(
    source: GroundedReport | Sequence[MaskOverlay],
    reference_datasets: Sequence[Dataset],
    path: str | Path,
    *,
    provenance: Provenance | None = None,
    series_description: str = "VividMed segmentation",
    taxonomy: Taxonomy | None = None,
) -> Path:
    """Write the masks of a report (or a list of masks) as one BINARY DICOM SEG.

    ``reference_datasets`` are the instances of the series the masks were drawn on (any
    order). ``provenance`` defaults to the report's. Returns the path written.
    """
    path = Path(path)
    if provenance is None:
        provenance = source.provenance if isinstance(source, GroundedReport) else Provenance()
    masks = _merge_by_target(_masks_of(source))
    if not masks:
        raise SegmentationWriteError(f"{path}: no non-empty masks to write as DICOM SEG")
    try:
        reference = reference_series(reference_datasets)
    except ValidationError as error:
        raise SegmentationWriteError(f"{path}: {error}") from error
    taxonomy = taxonomy or default_taxonomy()
    descriptions = [
        _segment_description(number, mask, taxonomy, provenance, path)
        for number, mask in enumerate(masks.values(), start=1)
    ]
    pixels = np.stack([_on_reference_grid(m, reference, path) for m in masks.values()], axis=-1)
    first = reference.datasets[0]
    seg = hd.seg.Segmentation(
        source_images=reference.datasets,
        pixel_array=pixels,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions,
        series_instance_uid=generate_uid(),
        series_number=int(first.get("SeriesNumber") or 0) + 100,
        sop_instance_uid=generate_uid(),
        instance_number=1,
        manufacturer=SOFTWARE_NAME,
        manufacturer_model_name=SOFTWARE_NAME,
        software_versions=provenance.checkpoint or SOFTWARE_NAME,
        device_serial_number="none",
        content_description=_content_description(provenance),
        series_description=series_description,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    seg.save_as(path)
    logger.info("wrote DICOM SEG with %d segments to %s", len(descriptions), path)
    return path


def read_seg(
    path: str | Path,
    reference_datasets: Sequence[Dataset],
    *,
    taxonomy: Taxonomy | None = None,
) -> list[MaskOverlay]:
    """The segments of a DICOM SEG as masks on the grid of the series it references.

    ``reference_datasets`` are that series' instances. Fractional segments become masks
    where the value is at least one half. Each mask is named by its segment label (the
    taxonomy's target name where the label is a name or synonym) and coloured by it.
    """
    path = Path(path)
    try:
        seg = hd.seg.segread(path)
    except (OSError, ValueError, AttributeError, TypeError, KeyError) as error:
        raise DicomError(path, f"not a readable DICOM SEG: {error}") from error
    try:
        reference = reference_series(reference_datasets)
    except ValidationError as error:
        raise DicomError(path, str(error)) from error
    referenced = {str(item.SeriesInstanceUID) for item in seg.get("ReferencedSeriesSequence", [])}
    if reference.series_instance_uid not in referenced:
        raise DicomError(
            path,
            f"this SEG references series {sorted(referenced)}, not the given series "
            f"{reference.series_instance_uid}",
        )
    numbers = list(seg.segment_numbers)
    try:
        pixels = seg.get_pixels_by_source_instance(
            [str(ds.SOPInstanceUID) for ds in reference.datasets],
            segment_numbers=numbers,
            assert_missing_frames_are_empty=True,
            dtype=np.float32,
        )
    except (ValueError, KeyError, RuntimeError) as error:
        raise DicomError(path, f"cannot place the segments on the series: {error}") from error
    taxonomy = taxonomy or default_taxonomy()
    overlays = []
    for channel, number in enumerate(numbers):
        label = str(seg.get_segment_description(number).segment_label)
        target = taxonomy.resolve(label)
        overlays.append(
            MaskOverlay(
                target=target.name if target else label,
                label_map=(pixels[..., channel] >= 0.5).astype(np.uint8),
                geometry=reference.geometry,
                colour=taxonomy.colour_of(label),
            )
        )
    return overlays
