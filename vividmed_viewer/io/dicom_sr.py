"""DICOM SR: a grounded report out as a Comprehensive 3D SR (TID 1500 Measurement Report).

What goes in, so another workstation shows which sentence belongs to which region:

- the whole report text, as a TEXT item "Finding" in the report's "Qualitative
  Evaluations" container (TID 1500 rows 12-14);
- per grounded phrase with a mask: a volumetric ROI group (TID 1411) whose tracking
  identifier is the phrase text, finding type the target's code (side as a finding site
  laterality), referencing the target's segment in the DICOM SEG (segment label = target
  name) with its Volume in mL (mask voxels x voxel volume);
- per box of a grounded phrase: a volumetric ROI group whose volume surface is two
  SCOORD3D POLYGONs, the box's rectangles at its first and last slice (its 8 corners in
  patient LPS mm), with its extent as three lengths: Width (columns), Height (rows) and
  Depth (slices), in mm;
- the reader's measurements: lengths and angles as TID 1501 groups whose values are
  inferred from an SCOORD on the source image, ellipse and rectangle ROIs as planar ROI
  groups (TID 1410) on the source image with area and pixel statistics. Measurements in a
  non-axial view (spanning several images) are given in 3D patient coordinates instead.

The observer is the model (device + algorithm identification: name and checkpoint) for a
model's report, a person otherwise. :func:`read_sr` reads the text and the regions back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import highdicom as hd
import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.measurement_values import Quantity, measure
from vividmed_viewer.core.measurements import KIND_LABELS, Measurement, MeasurementKind
from vividmed_viewer.core.overlays import Box, BoxOverlay, MaskOverlay
from vividmed_viewer.core.provenance import Provenance, SourceKind
from vividmed_viewer.core.report import GroundedReport, ReportStatus
from vividmed_viewer.core.taxonomy import Laterality, Taxonomy, default_taxonomy
from vividmed_viewer.io.errors import ImageWriteError

logger = logging.getLogger(__name__)

SOFTWARE_NAME = "VividMed Viewer"
POSITION_TOLERANCE_MM = 0.01
FINDING = hd.sr.CodedConcept("121071", "DCM", "Finding")
QUALITATIVE_EVALUATIONS = hd.sr.CodedConcept("126010", "DCM", "Qualitative Evaluations")
ML = hd.sr.CodedConcept("ml", "UCUM", "milliliter")
MM = hd.sr.CodedConcept("mm", "UCUM", "millimeter")
LATERALITY_CODES = {  # DICOM CID 244
    Laterality.LEFT: hd.sr.CodedConcept("7771000", "SCT", "Left"),
    Laterality.RIGHT: hd.sr.CodedConcept("24028007", "SCT", "Right"),
    Laterality.BOTH: hd.sr.CodedConcept("51440002", "SCT", "Right and left"),
}
PROCEDURES = {  # CID 100 style procedure codes by modality
    "CT": hd.sr.CodedConcept("77477000", "SCT", "Computed Tomography"),
    "MR": hd.sr.CodedConcept("113091000", "SCT", "Magnetic Resonance Imaging"),
}
IMAGING_PROCEDURE = hd.sr.CodedConcept("363679005", "SCT", "Imaging procedure")
#: Box extent names along the array axes (z, y, x).
EXTENT_NAMES = (codes.SCT.Depth, codes.DCM.Height, codes.SCT.Width)
UNIT_MEANINGS = {
    "mm": "millimeter",
    "mm2": "square millimeter",
    "deg": "degree",
    "[hnsf'U]": "Hounsfield unit",
    "{pixels}": "pixels",
    "1": "no units",
}
QUANTITY_CODES = {
    "Length": codes.SCT.Length,
    "Angle": codes.SCT.Angle,
    "Mean": codes.SCT.Mean,
    "Standard deviation": codes.SCT.StandardDeviation,
    "Minimum": codes.SCT.Minimum,
    "Maximum": codes.SCT.Maximum,
    "Area": codes.SCT.Area,
}


class StructuredReportWriteError(ImageWriteError):
    """A report could not be written as DICOM SR."""


def target_code(taxonomy: Taxonomy, name: str) -> hd.sr.CodedConcept:
    """The taxonomy's code of target ``name``, or a DCM "Finding" named after it."""
    target = taxonomy.resolve(name)
    code = None if target is None else target.code
    if code is None:
        return hd.sr.CodedConcept(FINDING.value, FINDING.scheme_designator, name)
    return hd.sr.CodedConcept(code.value, code.scheme, code.meaning)


def _finding_sites(taxonomy: Taxonomy, name: str) -> list[hd.sr.FindingSite] | None:
    """The target as a finding site with its side, for paired structures coded without it."""
    target = taxonomy.resolve(name)
    if target is None or target.code is None or target.code.laterality is None:
        return None
    laterality = LATERALITY_CODES[target.code.laterality]
    return [hd.sr.FindingSite(target_code(taxonomy, name), laterality=laterality)]


def _observation_context(provenance: Provenance) -> hd.sr.ObservationContext:
    if provenance.kind is SourceKind.MODEL:
        device = hd.sr.DeviceObserverIdentifyingAttributes(
            uid=generate_uid(),
            name=provenance.name or "VividMed",
            manufacturer_name=SOFTWARE_NAME,
            model_name=provenance.checkpoint or None,
        )
        return hd.sr.ObservationContext(
            observer_device_context=hd.sr.ObserverContext(
                observer_type=codes.DCM.Device, observer_identifying_attributes=device
            )
        )
    name = provenance.name or "Reader"
    name = name if "^" in name else f"{name}^"  # one component: the family name
    person = hd.sr.PersonObserverIdentifyingAttributes(name=name)
    return hd.sr.ObservationContext(
        observer_person_context=hd.sr.ObserverContext(
            observer_type=codes.DCM.Person, observer_identifying_attributes=person
        )
    )


def _algorithm(provenance: Provenance) -> hd.sr.AlgorithmIdentification | None:
    if provenance.kind is not SourceKind.MODEL:
        return None
    return hd.sr.AlgorithmIdentification(
        name=provenance.name or "VividMed", version=provenance.checkpoint or "unknown"
    )


def _segment_numbers(segmentation: Dataset) -> dict[str, int]:
    return {
        str(item.SegmentLabel): int(item.SegmentNumber)
        for item in segmentation.get("SegmentSequence", [])
    }


def _mask_group(
    text: str,
    overlay: MaskOverlay,
    segmentation: Dataset | None,
    taxonomy: Taxonomy,
    algorithm: hd.sr.AlgorithmIdentification | None,
) -> hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations:
    numbers = {} if segmentation is None else _segment_numbers(segmentation)
    if overlay.target not in numbers:
        raise StructuredReportWriteError(
            f"phrase '{text}': no segment labelled '{overlay.target}' in the segmentation "
            f"(segments: {sorted(numbers) or 'no segmentation given'})"
        )
    assert segmentation is not None
    volume = hd.sr.Measurement(
        name=codes.SCT.Volume, value=overlay.volume_ml, unit=ML, algorithm_id=algorithm
    )
    return hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(identifier=text, uid=generate_uid()),
        referenced_segment=hd.sr.ReferencedSegment.from_segmentation(
            segmentation, numbers[overlay.target]
        ),
        finding_type=target_code(taxonomy, overlay.target),
        finding_sites=_finding_sites(taxonomy, overlay.target),
        algorithm_id=algorithm,
        measurements=[volume],
    )


def _box_faces(box: Box, geometry: GridGeometry) -> list[NDArray[np.float64]]:
    """The box's rectangles at its first and last slice, closed, in patient LPS mm."""
    faces = []
    for z in (box.minimum[0], box.maximum[0]):
        (_, y0, x0), (_, y1, x1) = box.minimum, box.maximum
        ring = [(z, y0, x0), (z, y0, x1), (z, y1, x1), (z, y1, x0), (z, y0, x0)]
        faces.append(np.asarray(geometry.index_to_patient(np.asarray(ring)), dtype=np.float64))
    return faces


def _box_group(
    text: str,
    overlay: BoxOverlay,
    box: Box,
    frame_of_reference_uid: str,
    series_uid: str,
    taxonomy: Taxonomy,
    algorithm: hd.sr.AlgorithmIdentification | None,
) -> hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations:
    surface = hd.sr.VolumeSurface(
        graphic_type=hd.sr.GraphicTypeValues3D.POLYGON,
        graphic_data=_box_faces(box, overlay.geometry),
        frame_of_reference_uid=frame_of_reference_uid,
        source_series=hd.sr.SourceSeriesForSegmentation(series_uid),
    )
    extent = box.extent_mm(overlay.geometry)
    lengths = [
        hd.sr.Measurement(name=name, value=float(value), unit=MM, algorithm_id=algorithm)
        for name, value in zip(EXTENT_NAMES, extent, strict=True)
    ]
    return hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(identifier=text, uid=generate_uid()),
        referenced_volume_surface=surface,
        finding_type=target_code(taxonomy, overlay.target),
        finding_sites=_finding_sites(taxonomy, overlay.target),
        algorithm_id=algorithm,
        measurements=lengths,
    )


def _slice_datasets(geometry: GridGeometry, datasets: Sequence[Dataset]) -> dict[int, Dataset]:
    """The reference instance of each slice of the grid, matched by image position."""
    found: dict[int, Dataset] = {}
    for dataset in datasets:
        if "ImagePositionPatient" not in dataset:
            continue
        index = geometry.patient_to_index(np.asarray(dataset.ImagePositionPatient, dtype=float))
        z = round(float(index[0]))
        expected = geometry.index_to_patient(np.array([z, 0.0, 0.0]))
        position = np.asarray(dataset.ImagePositionPatient, dtype=float)
        if np.linalg.norm(expected - position) <= POSITION_TOLERANCE_MM:
            found[z] = dataset
    return found


def _unit(quantity: Quantity) -> hd.sr.CodedConcept:
    """The UCUM unit of a value; code meanings in plain ASCII (the SR's character set)."""
    return hd.sr.CodedConcept(quantity.ucum, "UCUM", UNIT_MEANINGS.get(quantity.ucum, "no units"))


def _ellipse_axes(points: NDArray[np.float64], first: int, second: int) -> NDArray[np.float64]:
    """An ellipse's major then minor axis end points (DICOM ELLIPSE) from its bounds."""
    centre = points.mean(axis=0)
    radii = np.abs(points[1] - points[0]) / 2.0
    ends = []
    for axis in sorted((first, second), key=lambda a: -radii[a]):
        for sign in (-1.0, 1.0):
            end = centre.copy()
            end[axis] += sign * radii[axis]
            ends.append(end)
    return np.asarray(ends)


def _measurement_shape(measurement: Measurement) -> tuple[str, NDArray[np.float64]]:
    """Graphic type and its points (continuous voxel indices) of a measurement."""
    points = np.asarray(measurement.points, dtype=float)
    if measurement.kind is MeasurementKind.ELLIPSE:
        return "ELLIPSE", _ellipse_axes(points, *measurement.in_plane_axes)
    if measurement.kind is MeasurementKind.RECTANGLE:
        first, second = measurement.in_plane_axes
        ring = np.repeat(points[:1], 5, axis=0)
        ring[[1, 2], first] = points[1][first]
        ring[[2, 3], second] = points[1][second]
        return "POLYGON", ring
    return "POLYLINE", points


def _user_group(
    measurement: Measurement,
    volume: ImageVolume,
    slices: dict[int, Dataset],
    frame_of_reference_uid: str,
) -> (
    hd.sr.MeasurementsAndQualitativeEvaluations
    | hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations
):
    values = [
        (QUANTITY_CODES[q.name], q.value, _unit(q))
        for q in measure(measurement, volume).quantities()
    ]
    graphic_type, points = _measurement_shape(measurement)
    source = slices.get(measurement.slice_index) if measurement.axis == 0 else None
    region: hd.sr.ImageRegion | hd.sr.ImageRegion3D
    coordinates: hd.sr.CoordinatesForMeasurement | hd.sr.CoordinatesForMeasurement3D
    if source is not None:  # on one image: pixel coordinates (column, row), corner origin
        pixels = points[:, [2, 1]] + 0.5
        image = hd.sr.SourceImageForRegion.from_source_image(source)
        pixel_type = "POLYLINE" if graphic_type == "POLYGON" else graphic_type
        region = hd.sr.ImageRegion(pixel_type, pixels, image)
        coordinates = hd.sr.CoordinatesForMeasurement(pixel_type, pixels, image)
    else:  # across images (coronal, sagittal views): patient LPS mm
        patient = np.asarray(volume.index_to_patient(points), dtype=float)
        region = hd.sr.ImageRegion3D(graphic_type, patient, frame_of_reference_uid)
        coordinates = hd.sr.CoordinatesForMeasurement3D(
            graphic_type, patient, frame_of_reference_uid
        )
    identifier = hd.sr.TrackingIdentifier(
        identifier=measurement.label or KIND_LABELS[measurement.kind], uid=generate_uid()
    )
    if measurement.is_roi:
        return hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations(
            tracking_identifier=identifier,
            referenced_region=region,
            measurements=[hd.sr.Measurement(name=n, value=v, unit=u) for n, v, u in values],
        )
    return hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=identifier,
        measurements=[
            hd.sr.Measurement(name=n, value=v, unit=u, referenced_coordinates=[coordinates])
            for n, v, u in values
        ],
    )


def _report_text_container(text: str) -> hd.sr.ContainerContentItem:
    container = hd.sr.ContainerContentItem(
        name=QUALITATIVE_EVALUATIONS, relationship_type=hd.sr.RelationshipTypeValues.CONTAINS
    )
    container.ContentSequence = hd.sr.ContentSequence(
        [
            hd.sr.TextContentItem(
                name=FINDING, value=text, relationship_type=hd.sr.RelationshipTypeValues.CONTAINS
            )
        ]
    )
    return container


def write_sr(
    report: GroundedReport,
    reference_datasets: Sequence[Dataset],
    path: str | Path,
    *,
    segmentation: Dataset | None = None,
    measurements: Sequence[Measurement] = (),
    volume: ImageVolume | None = None,
    series_description: str = "VividMed report",
    taxonomy: Taxonomy | None = None,
) -> Path:
    """Write ``report`` (and the reader's ``measurements``) as a TID 1500 Comprehensive 3D SR.

    Parameters
    ----------
    reference_datasets:
        The instances of the series the report describes (headers suffice).
    segmentation:
        The DICOM SEG holding the report's masks, one segment per target (label = name);
        needed when a phrase links to a mask.
    measurements, volume:
        The reader's measurements and the image they were drawn on (needed to measure).
    """
    if not reference_datasets:
        raise ValidationError("a DICOM SR needs the instances of the series it describes")
    if measurements and volume is None:
        raise ValidationError("measurements need the image volume they were drawn on")
    taxonomy = taxonomy or default_taxonomy()
    first = reference_datasets[0]
    frame_uid = str(first.FrameOfReferenceUID)
    series_uid = str(first.SeriesInstanceUID)
    algorithm = _algorithm(report.provenance)
    groups: list[
        hd.sr.MeasurementsAndQualitativeEvaluations
        | hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations
        | hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations
    ] = []
    for phrase in report.phrases:
        text = report.body.phrase_text(phrase)
        for overlay in report.overlays_of(phrase):
            if isinstance(overlay, MaskOverlay):
                groups.append(_mask_group(text, overlay, segmentation, taxonomy, algorithm))
                continue
            for box in overlay.boxes:
                groups.append(
                    _box_group(text, overlay, box, frame_uid, series_uid, taxonomy, algorithm)
                )
    if volume is not None and measurements:
        slices = _slice_datasets(volume.geometry, reference_datasets)
        groups += [_user_group(m, volume, slices, frame_uid) for m in measurements]
    modality = str(first.get("Modality", ""))
    try:
        content = hd.sr.MeasurementReport(
            observation_context=_observation_context(report.provenance),
            procedure_reported=PROCEDURES.get(modality, IMAGING_PROCEDURE),
            imaging_measurements=groups or None,
        )
        content[0].ContentSequence.append(_report_text_container(report.text))
        evidence = [*reference_datasets, *([] if segmentation is None else [segmentation])]
        sr = hd.sr.Comprehensive3DSR(
            evidence=evidence,
            content=content[0],
            series_instance_uid=generate_uid(),
            series_number=int(first.get("SeriesNumber", 0) or 0) + 200,
            sop_instance_uid=generate_uid(),
            instance_number=1,
            manufacturer=SOFTWARE_NAME,
            series_description=series_description,
            is_complete=report.status is ReportStatus.COMPLETE,
        )
    except (ValueError, TypeError, AttributeError) as error:
        raise StructuredReportWriteError(f"cannot build the DICOM SR: {error}") from error
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sr.save_as(path, enforce_file_format=True)
    logger.info("wrote DICOM SR with %d measurement groups to %s", len(groups), path)
    return path
