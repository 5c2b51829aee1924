"""DICOM SR (TID 1500) out of a grounded report and the reader's measurements, and back."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest
from conftest import phantom_volume
from highdicom.sr.utils import find_content_items
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from vividmed_viewer.core import ImageVolume
from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.core.grounded_text import GroundedText, Phrase
from vividmed_viewer.core.measurement_values import measure
from vividmed_viewer.core.measurements import Measurement, MeasurementKind
from vividmed_viewer.core.overlays import Box, BoxOverlay, MaskOverlay
from vividmed_viewer.core.provenance import Provenance, SourceKind
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.core.taxonomy import default_taxonomy
from vividmed_viewer.io import write_dicom_series
from vividmed_viewer.io.dicom_sr import StructuredReportWriteError, target_code, write_sr
from vividmed_viewer.io.dicom_sr_reader import read_sr
from vividmed_viewer.io.nifti import load_nifti

TEXT = "The trachea is patent. The left lung is clear. A nodule is seen at the apex."
MODEL = Provenance(kind=SourceKind.MODEL, name="VividMed-tiny", checkpoint="ckpt-0042")
SAMPLE = Path(__file__).resolve().parents[3] / "resources" / "samples" / "phantom_chest"
COMPREHENSIVE_3D_SR = "1.2.840.10008.5.1.4.1.1.88.34"
BOX = Box((4.0, 8.0, 10.0), (7.0, 12.0, 15.0))


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def dciodvfy_output(path: Path) -> str:
    result = subprocess.run(
        ["dciodvfy", str(path)], capture_output=True, encoding="latin-1", timeout=120, check=False
    )
    return result.stdout + result.stderr


@dataclass
class Case:
    volume: ImageVolume
    datasets: list[Dataset]
    segmentation: Dataset
    report: GroundedReport
    masks: dict[str, MaskOverlay]
    measurements: list[Measurement]


def build_segmentation(datasets: list[Dataset], masks: list[MaskOverlay]) -> Dataset:
    """A BINARY SEG with one segment per mask, built directly with highdicom."""
    taxonomy = default_taxonomy()
    descriptions = []
    for number, mask in enumerate(masks, start=1):
        descriptions.append(
            hd.seg.SegmentDescription(
                segment_number=number,
                segment_label=mask.target,
                segmented_property_category=codes.SCT.AnatomicalStructure,
                segmented_property_type=target_code(taxonomy, mask.target),
                algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
            )
        )
    pixels = np.stack([mask.label_map > 0 for mask in masks], axis=-1).astype(np.uint8)
    return hd.seg.Segmentation(
        source_images=datasets,
        pixel_array=pixels,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions,
        series_instance_uid=generate_uid(),
        series_number=100,
        sop_instance_uid=generate_uid(),
        instance_number=1,
        manufacturer="test",
        manufacturer_model_name="test",
        software_versions="1",
        device_serial_number="1",
    )


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    volume = phantom_volume()
    paths = write_dicom_series(volume, tmp_path_factory.mktemp("ct"))
    datasets = [pydicom.dcmread(path) for path in paths]  # slice order
    masks = {}
    for target, region in (
        ("trachea", np.s_[2:6, 5:9, 5:9]),
        ("left lung", np.s_[3:8, 10:15, 12:20]),
    ):
        label_map = np.zeros(volume.shape, dtype=np.uint8)
        label_map[region] = 1
        masks[target] = MaskOverlay(target, label_map, volume.geometry)
    boxes = BoxOverlay("lung nodule", [BOX], volume.geometry)
    phrases = [
        Phrase(*span(TEXT, "trachea"), "trachea", (masks["trachea"].overlay_id,)),
        Phrase(*span(TEXT, "left lung"), "left lung", (masks["left lung"].overlay_id,)),
        Phrase(*span(TEXT, "A nodule"), "lung nodule", (boxes.overlay_id,)),
    ]
    report = GroundedReport(
        body=GroundedText(TEXT, phrases),
        overlays={o.overlay_id: o for o in (*masks.values(), boxes)},
        provenance=MODEL,
    )
    measurements = [
        Measurement(MeasurementKind.LENGTH, ((5, 4, 4), (5, 10, 20)), label="tracheal width"),
        Measurement(MeasurementKind.ELLIPSE, ((5, 6, 8), (5, 14, 20))),
        Measurement(MeasurementKind.RECTANGLE, ((6, 5, 5), (6, 12, 18))),
        Measurement(MeasurementKind.ANGLE, ((5, 4, 4), (5, 10, 10), (5, 4, 20))),
        Measurement(
            MeasurementKind.LENGTH, ((3, 10, 5), (8, 10, 15)), view="coronal", slice_axis=1
        ),
        Measurement(
            MeasurementKind.ELLIPSE, ((3, 10, 5), (8, 10, 15)), view="coronal", slice_axis=1
        ),
    ]
    segmentation = build_segmentation(datasets, list(masks.values()))
    return Case(volume, datasets, segmentation, report, masks, measurements)


@pytest.fixture(scope="module")
def sr_path(case: Case, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sr(
        case.report,
        case.datasets,
        tmp_path_factory.mktemp("sr") / "report.dcm",
        segmentation=case.segmentation,
        measurements=case.measurements,
        volume=case.volume,
    )


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_sr_passes_dciodvfy(sr_path: Path) -> None:
    output = dciodvfy_output(sr_path)
    print(output)
    assert [line for line in output.splitlines() if "Error" in line] == []


def test_phrase_groups_reference_segments_and_boxes(case: Case, sr_path: Path) -> None:
    sr = hd.sr.srread(sr_path)
    report = hd.sr.MeasurementReport.from_sequence([sr])
    groups = report.get_volumetric_roi_measurement_groups()
    assert [g.tracking_identifier for g in groups] == ["trachea", "left lung", "A nodule"]
    segment_numbers = {
        str(item.SegmentLabel): int(item.SegmentNumber)
        for item in case.segmentation.SegmentSequence
    }
    for group in groups[:2]:
        name = group.tracking_identifier
        segment = group.referenced_segment
        assert segment is not None
        assert segment.referenced_segment_numbers == [segment_numbers[str(name)]]
        assert segment.referenced_sop_instance_uid == case.segmentation.SOPInstanceUID
        (volume,) = group.get_measurements(name=codes.SCT.Volume)
        expected_ml = case.masks[str(name)].voxel_count * np.prod(case.volume.spacing) / 1000
        assert volume.value == pytest.approx(expected_ml, rel=1e-6)
        assert volume.unit.value == "ml"
    assert groups[1].finding_type.value == "39607008"  # Lung, with its side as a site
    assert groups[1].finding_sites[0].laterality.meaning == "Left"
    nodule = groups[2]
    surface = nodule.roi
    assert isinstance(surface, hd.sr.VolumeSurface)
    corners = np.concatenate([np.asarray(face)[:-1] for face in surface.graphic_data])
    expected = BOX.corners_patient(case.volume.geometry)
    assert {tuple(np.round(c, 3)) for c in corners} == {tuple(np.round(c, 3)) for c in expected}
    extent = {m.name.meaning: m.value for m in nodule.get_measurements()}
    assert extent == pytest.approx({"Depth": 8.0, "Height": 4.0, "Width": 4.2})
    assert nodule.finding_type == target_code(default_taxonomy(), "lung nodule")


def test_report_text_and_model_observer(sr_path: Path) -> None:
    dataset = pydicom.dcmread(sr_path)
    assert dataset.SOPClassUID == COMPREHENSIVE_3D_SR
    texts = [
        item.TextValue
        for item in dataset.ContentSequence
        if item.ValueType == "CONTAINER"
        for item in item.get("ContentSequence", [])
        if item.ValueType == "TEXT"
    ]
    assert TEXT in texts
    report = hd.sr.MeasurementReport.from_sequence([hd.sr.srread(sr_path)])
    observers = report.get_observer_contexts(observer_type=codes.DCM.Device)
    assert observers and observers[0].observer_identifying_attributes.name == "VividMed-tiny"
    group = report.get_volumetric_roi_measurement_groups()[0]
    names = find_content_items(group[0], name=codes.DCM.AlgorithmName)
    versions = find_content_items(group[0], name=codes.DCM.AlgorithmVersion)
    assert [i.TextValue for i in names] == ["VividMed-tiny"]
    assert [i.TextValue for i in versions] == ["ckpt-0042"]


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_reader_report_has_a_person_observer(case: Case, tmp_path: Path) -> None:
    """A person's report with measurements only: no SEG needed, still dciodvfy-clean."""
    report = GroundedReport(
        body=GroundedText("Measured by hand."),
        provenance=Provenance(kind=SourceKind.HUMAN, name="Doe^Jane"),
    )
    path = write_sr(
        report,
        case.datasets,
        tmp_path / "sr.dcm",
        measurements=case.measurements[:2],
        volume=case.volume,
    )
    output = dciodvfy_output(path)
    assert [line for line in output.splitlines() if "Error" in line] == [], output
    content = hd.sr.MeasurementReport.from_sequence([hd.sr.srread(path)])
    (person,) = content.get_observer_contexts(observer_type=codes.DCM.Person)
    assert str(person.observer_identifying_attributes.name) == "Doe^Jane"
    assert not content.get_observer_contexts(observer_type=codes.DCM.Device)
    assert read_sr(path) == ("Measured by hand.", [])


def test_target_without_code_falls_back_to_finding() -> None:
    code = target_code(default_taxonomy(), "no such target")
    assert (code.value, code.scheme_designator, code.meaning) == ("121071", "DCM", "no such target")


def test_user_measurements_round_trip(case: Case, sr_path: Path) -> None:
    report = hd.sr.MeasurementReport.from_sequence([hd.sr.srread(sr_path)])
    planar = report.get_planar_roi_measurement_groups()
    image_groups = report.get_image_measurement_groups()
    assert len(planar) == 3 and len(image_groups) == 3
    coronal = planar[2].roi
    assert isinstance(coronal, hd.sr.ImageRegion3D)
    assert coronal.graphic_type == hd.sr.GraphicTypeValues3D.ELLIPSE
    by_kind = {m.kind: m for m in case.measurements if m.view == "axial"}
    ellipse = measure(by_kind[MeasurementKind.ELLIPSE], case.volume)
    values = {m.name.meaning: m.value for m in planar[0].get_measurements()}
    assert values["Area"] == pytest.approx(ellipse.area)
    assert values["Mean"] == pytest.approx(ellipse.mean)
    assert values["Standard Deviation"] == pytest.approx(ellipse.sd)
    assert values["Minimum"] == pytest.approx(ellipse.minimum)
    assert values["Maximum"] == pytest.approx(ellipse.maximum)
    region = planar[0].roi
    assert isinstance(region, hd.sr.ImageRegion)
    assert region.graphic_type == hd.sr.GraphicTypeValues.ELLIPSE
    (image,) = region.ContentSequence
    assert (
        image.ReferencedSOPSequence[0].ReferencedSOPInstanceUID == case.datasets[5].SOPInstanceUID
    )
    lengths = {g.tracking_identifier: g for g in image_groups}
    (length,) = lengths["tracheal width"].get_measurements(name=codes.SCT.Length)
    assert length.value == pytest.approx(measure(case.measurements[0], case.volume).length)
    assert length.unit.value == "mm"


def test_read_sr_round_trip(case: Case, sr_path: Path) -> None:
    text, regions = read_sr(sr_path)
    assert text == TEXT
    assert [(r.phrase, r.target) for r in regions] == [
        ("trachea", "trachea"),
        ("left lung", "left lung"),
        ("A nodule", "lung nodule"),
    ]
    assert [r.segment_number for r in regions] == [1, 2, None]
    assert regions[2].corners is not None
    np.testing.assert_allclose(
        np.sort(regions[2].corners, axis=0),
        np.sort(BOX.corners_patient(case.volume.geometry), axis=0),
        atol=1e-3,
    )


def test_mask_without_segment_is_refused(case: Case, tmp_path: Path) -> None:
    with pytest.raises(StructuredReportWriteError, match="no segment labelled 'trachea'"):
        write_sr(case.report, case.datasets, tmp_path / "sr.dcm")


def test_read_sr_refuses_an_image(case: Case) -> None:
    with pytest.raises(DicomError, match="not a readable TID 1500 DICOM SR"):
        read_sr(case.datasets[0].filename)


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_sample_chest_report(tmp_path: Path) -> None:
    """The shipped phantom CT report: every phrase's region goes in, dciodvfy-clean."""
    volume = load_nifti(SAMPLE / "ct.nii.gz")
    report = GroundedReport.load(SAMPLE / "report_ct.json")
    paths = write_dicom_series(volume, tmp_path / "ct")
    datasets = [pydicom.dcmread(path) for path in paths]
    masks = [o for o in report.overlays.values() if isinstance(o, MaskOverlay)]
    segmentation = build_segmentation(datasets, masks)
    path = write_sr(report, datasets, tmp_path / "sr.dcm", segmentation=segmentation)
    output = dciodvfy_output(path)
    assert [line for line in output.splitlines() if "Error" in line] == [], output
    text, regions = read_sr(path)
    assert text == report.text
    expected = [
        (report.body.phrase_text(phrase), overlay.target)
        for phrase in report.phrases
        for overlay in report.overlays_of(phrase)
        for _ in (overlay.boxes if isinstance(overlay, BoxOverlay) else [overlay])
    ]
    assert len(expected) > 10
    assert [(r.phrase, r.target) for r in regions] == expected
