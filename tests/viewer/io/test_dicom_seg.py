"""DICOM SEG out of a report's masks and back: dciodvfy-clean, highdicom-readable, exact."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest
from conftest import phantom_volume
from pydicom.data import get_testdata_files
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from vividmed_viewer.core import ImageVolume
from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.overlays import MaskOverlay
from vividmed_viewer.core.provenance import Provenance, SourceKind
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.io.dicom_seg import (
    SegmentationWriteError,
    export_reference_series,
    read_seg,
    write_seg,
)
from vividmed_viewer.io.nifti import load_nifti

SAMPLE = Path(__file__).resolve().parents[3] / "resources" / "samples" / "phantom_chest"
MODEL = Provenance(kind=SourceKind.MODEL, name="VividMed-tiny", checkpoint="ckpt-0042")


def dciodvfy_errors(path: Path) -> list[str]:
    """Run dicom3tools' validator; fail on any error line, print the whole output."""
    result = subprocess.run(
        ["dciodvfy", str(path)], capture_output=True, encoding="latin-1", timeout=120, check=False
    )
    output = result.stdout + result.stderr
    print(output)
    return [line for line in output.splitlines() if "Error" in line]


def dice(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0, b > 0
    return 2.0 * np.count_nonzero(a & b) / max(np.count_nonzero(a) + np.count_nonzero(b), 1)


@pytest.fixture(scope="module")
def small_series(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImageVolume, list]:
    """A generated CT series, its datasets shuffled (file order must not matter)."""
    volume = phantom_volume()
    datasets = export_reference_series(volume, tmp_path_factory.mktemp("ct"))
    random.Random(3).shuffle(datasets)
    return volume, datasets


def small_masks(volume: ImageVolume) -> list[MaskOverlay]:
    lung = np.zeros(volume.shape, np.uint8)
    lung[2:9, 5:15, 5:12] = 1
    heart = np.zeros(volume.shape, np.uint8)
    heart[4:11, 8:18, 10:20] = 1  # overlaps the lung: BINARY segments may
    return [
        MaskOverlay("left lung", lung, volume.geometry),
        MaskOverlay("heart", heart, volume.geometry),
    ]


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_masks_round_trip_and_validate(small_series, tmp_path: Path) -> None:
    volume, datasets = small_series
    masks = small_masks(volume)
    path = write_seg(masks, datasets, tmp_path / "seg.dcm", provenance=MODEL)
    assert dciodvfy_errors(path) == []

    seg = hd.seg.segread(path)
    assert seg.segmentation_type is hd.seg.SegmentationTypeValues.BINARY
    first = seg.get_segment_description(1)
    assert first.segment_label == "left lung"
    assert first.segmented_property_type.value == "39607008"
    modifier = seg.SegmentSequence[0].SegmentedPropertyTypeCodeSequence[0]
    assert modifier.SegmentedPropertyTypeModifierCodeSequence[0].CodeValue == "7771000"
    assert first.segmented_property_category.value == "91723000"
    assert first.algorithm_type is hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC
    assert first.algorithm_identification[0].AlgorithmName == "VividMed-tiny"
    assert first.algorithm_identification[0].AlgorithmVersion == "ckpt-0042"
    assert seg.get_segment_description(2).segmented_property_type.value == "80891009"

    back = read_seg(path, datasets)
    assert [m.target for m in back] == ["left lung", "heart"]
    for original, read in zip(masks, back, strict=True):
        assert read.geometry.same_grid(volume.geometry)
        assert dice(original.label_map, read.label_map) == 1.0
        assert np.array_equal(original.label_map, read.label_map)
    assert back[1].colour == (235, 70, 70)


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_sample_report_from_nifti(tmp_path: Path) -> None:
    """The shipped phantom: NIfTI exported as a series first, its ground truth is MANUAL."""
    volume = load_nifti(SAMPLE / "ct.nii.gz")
    report = GroundedReport.load(SAMPLE / "report_ct.json")
    datasets = export_reference_series(volume, tmp_path / "ct")
    path = write_seg(report, datasets, tmp_path / "seg.dcm")
    assert dciodvfy_errors(path) == []
    seg = hd.seg.segread(path)
    assert all(
        seg.get_segment_description(n).algorithm_type is hd.seg.SegmentAlgorithmTypeValues.MANUAL
        for n in seg.segment_numbers
    )
    written = {o.target: o for o in report.overlays.values() if isinstance(o, MaskOverlay)}
    back = read_seg(path, datasets)
    assert sorted(m.target for m in back) == sorted(written)
    for mask in back:
        assert np.array_equal(mask.label_map > 0, written[mask.target].label_map > 0)


def test_foreign_seg_fractional_and_reordered(small_series, tmp_path: Path) -> None:
    """A SEG this project did not write: highdicom-built, FRACTIONAL, its own segment order."""
    volume, datasets = small_series
    ordered = sorted(datasets, key=lambda ds: float(ds.ImagePositionPatient[2]))
    probability = np.zeros((len(ordered), *volume.shape[1:], 2), np.float32)
    probability[3:6, 2:10, 2:10, 0] = 0.9
    probability[3:6, 12:14, 12:14, 0] = 0.2  # below one half: outside
    probability[7:9, 4:8, 4:8, 1] = 1.0
    descriptions = [
        hd.seg.SegmentDescription(
            number,
            label,
            codes.cid7150.AnatomicalStructure,
            hd.sr.CodedConcept(value, "SCT", meaning),
            hd.seg.SegmentAlgorithmTypeValues.MANUAL,
        )
        for number, (label, value, meaning) in enumerate(
            [("Liver", "10200004", "Liver"), ("airway", "44567001", "Trachea")], start=1
        )
    ]
    seg = hd.seg.Segmentation(
        source_images=ordered,
        pixel_array=probability,
        segmentation_type=hd.seg.SegmentationTypeValues.FRACTIONAL,
        segment_descriptions=descriptions,
        series_instance_uid=generate_uid(),
        series_number=5,
        sop_instance_uid=generate_uid(),
        instance_number=1,
        manufacturer="Elsewhere",
        manufacturer_model_name="Other",
        software_versions="1",
        device_serial_number="1",
    )
    path = tmp_path / "foreign.dcm"
    seg.save_as(path)
    back = read_seg(path, datasets)
    assert [m.target for m in back] == ["liver", "trachea"]  # labels resolved by the taxonomy
    expected_liver = np.zeros(volume.shape, np.uint8)
    expected_liver[3:6, 2:10, 2:10] = 1
    assert np.array_equal(back[0].label_map, expected_liver)
    assert back[1].voxel_count == 2 * 4 * 4


def test_pydicom_test_segs_are_read_when_present() -> None:
    segs = [n for n in get_testdata_files("*seg*") if pydicom.dcmread(n).get("Modality") == "SEG"]
    if not segs:
        pytest.skip("pydicom's and pydicom-data's test files hold no SEG object")
    for name in segs:
        assert hd.seg.Segmentation.from_dataset(pydicom.dcmread(name)).number_of_segments >= 1


def test_errors_name_the_file(small_series, tmp_path: Path) -> None:
    volume, datasets = small_series
    path = write_seg(small_masks(volume), datasets, tmp_path / "seg.dcm", provenance=MODEL)
    other = export_reference_series(volume, tmp_path / "other")
    with pytest.raises(DicomError, match=r"seg\.dcm: this SEG references series"):
        read_seg(path, other)
    empty = MaskOverlay("heart", np.zeros(volume.shape, np.uint8), volume.geometry)
    with pytest.raises(SegmentationWriteError, match=r"empty\.dcm: no non-empty masks"):
        write_seg([empty], datasets, tmp_path / "empty.dcm")
    shifted = MaskOverlay("heart", np.ones((3, 5, 5), np.uint8), GridGeometry((3, 5, 5)))
    with pytest.raises(SegmentationWriteError, match=r"not on the reference series' grid"):
        write_seg([shifted], datasets, tmp_path / "bad.dcm")
