"""pydicom's and pydicom-data's real files: codecs, radiographs, multi-frame, enhanced, DICOMDIR."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from vividmed_viewer.core import SeriesKind, SpacingSource
from vividmed_viewer.io import load_image, scan_path


def test_ct_small_is_in_hounsfield_units_with_header_window() -> None:
    volume = load_image(get_testdata_file("CT_small.dcm"))
    assert volume.modality == "CT" and volume.metadata.units == "HU"
    assert volume.voxels.dtype == np.int16
    assert volume.voxels.min() < -500  # air after rescale, not raw stored values
    assert volume.metadata.spacing_source is SpacingSource.PIXEL_SPACING
    assert volume.window is not None and volume.window.width > 0


@pytest.mark.parametrize(
    ("compressed", "reference"),
    [
        ("MR_small_RLE.dcm", "MR_small.dcm"),
        ("MR_small_jp2klossless.dcm", "MR_small.dcm"),
        ("MR_small_jpeg_ls_lossless.dcm", "MR_small.dcm"),
        ("emri_small_RLE.dcm", "emri_small.dcm"),
        ("emri_small_jpeg_2k_lossless.dcm", "emri_small.dcm"),
        ("emri_small_jpeg_ls_lossless.dcm", "emri_small.dcm"),
        ("MR2_J2KR.dcm", "MR2_UNCR.dcm"),
        ("SC_rgb_rle.dcm", "SC_rgb.dcm"),
        ("SC_rgb_jpeg_gdcm.dcm", "SC_rgb.dcm"),
    ],
)
def test_lossless_codecs_match_the_uncompressed_file(compressed: str, reference: str) -> None:
    decoded = load_image(get_testdata_file(compressed))
    expected = load_image(get_testdata_file(reference))
    np.testing.assert_array_equal(decoded.voxels, expected.voxels)


def test_jpeg_lossless_matches_pydicom() -> None:
    import pydicom

    path = get_testdata_file("JPEG-LL.dcm")
    dataset = pydicom.dcmread(path)
    expected = dataset.pixel_array * float(dataset.get("RescaleSlope", 1)) + float(
        dataset.get("RescaleIntercept", 0)
    )
    np.testing.assert_array_equal(load_image(path).voxels[0], expected)


def test_jpeg_baseline_and_lossy_jpeg2000_are_close() -> None:
    lossy = load_image(get_testdata_file("MR2_J2KI.dcm")).voxels.astype(float)
    exact = load_image(get_testdata_file("MR2_UNCR.dcm")).voxels.astype(float)
    assert np.mean(np.abs(lossy - exact)) < 0.05 * exact.std()
    baseline = load_image(get_testdata_file("SC_rgb_jpeg_dcmtk.dcm"))
    plain = load_image(get_testdata_file("SC_rgb.dcm"))
    assert any("converted to grayscale" in w for w in baseline.warnings)
    assert np.mean(np.abs(baseline.voxels - plain.voxels)) < 10


def test_real_chest_radiograph_rg1() -> None:
    volume = load_image(get_testdata_file("RG1_UNCR.dcm"))
    assert volume.shape == (1, 1955, 1841)
    assert volume.modality == "CR"
    assert volume.invert_for_display  # MONOCHROME1
    # RG1 has PixelSpacing 0\0 and no ImagerPixelSpacing: spacing is unknown.
    assert not volume.spacing_known
    assert volume.metadata.spacing_source is SpacingSource.UNKNOWN
    assert volume.geometry.axis_letters(2) == ("R", "L")  # PatientOrientation L\F (PA view)
    assert volume.window is not None and volume.window.center == 15000


def test_radiograph_spacing_prefers_pixel_then_imager_spacing(tmp_path: Path) -> None:
    from vividmed_viewer.core import ImageVolume
    from vividmed_viewer.io import write_dicom_radiograph

    image = ImageVolume(
        np.arange(64 * 48, dtype=np.uint16).reshape(1, 64, 48), spacing=(1, 0.2, 0.15)
    )
    for attribute, source in (
        ("ImagerPixelSpacing", SpacingSource.IMAGER_PIXEL_SPACING),
        ("PixelSpacing", SpacingSource.PIXEL_SPACING),
    ):
        path = write_dicom_radiograph(
            image, tmp_path / f"{attribute}.dcm", spacing_attribute=attribute
        )
        volume = load_image(path)
        assert volume.metadata.spacing_source is source and volume.spacing_known
        np.testing.assert_allclose(volume.spacing[1:], (0.2, 0.15))
        np.testing.assert_array_equal(volume.voxels, image.voxels)
    unknown = load_image(
        write_dicom_radiograph(image, tmp_path / "none.dcm", spacing_attribute=None)
    )
    assert not unknown.spacing_known


def test_radiograph_orientation_and_plane_round_trip(tmp_path: Path) -> None:
    """A PA chest film: rows run to the patient's left, columns to the feet (L\\F)."""
    import pydicom

    from vividmed_viewer.core import ImageVolume
    from vividmed_viewer.io import write_dicom_radiograph

    pa_direction = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])
    image = ImageVolume(
        np.arange(30 * 40, dtype=np.uint16).reshape(1, 30, 40),
        spacing=(2.0, 0.5, 0.5),
        origin=(-170.0, 0.0, 276.5),
        direction=pa_direction,
    )
    letters_only = write_dicom_radiograph(image, tmp_path / "letters.dcm")
    assert list(pydicom.dcmread(letters_only).PatientOrientation) == ["L", "F"]
    np.testing.assert_allclose(load_image(letters_only).direction[:, 1:], pa_direction[:, 1:])
    placed = load_image(
        write_dicom_radiograph(image, tmp_path / "plane.dcm", patient_geometry=True)
    )
    np.testing.assert_allclose(placed.origin, image.origin)
    np.testing.assert_allclose(placed.direction[:, 1:], pa_direction[:, 1:])


def test_enhanced_ct_uses_per_frame_functional_groups() -> None:
    volume = load_image(get_testdata_file("eCT_Supplemental.dcm"))
    assert volume.shape == (2, 512, 512)
    assert volume.metadata.spacing_source is SpacingSource.PIXEL_SPACING
    assert volume.spacing[0] == pytest.approx(10.0)
    assert volume.metadata.units == "HU" and volume.voxels.dtype == np.int16


def test_multiframe_mr_loads_all_frames() -> None:
    volume = load_image(get_testdata_file("emri_small.dcm"))
    assert volume.shape == (10, 64, 64) and volume.modality == "MR"
    assert any("no slice positions" in w for w in volume.warnings)


def test_segmentation_and_report_are_listed_not_shown() -> None:
    for name in ("liver.dcm", "reportsi.dcm"):
        series = scan_path(get_testdata_file(name))[0].series[0]
        assert series.kind is SeriesKind.NON_IMAGE


def test_dicomdir_tree() -> None:
    dicomdir = Path(get_testdata_file("DICOMDIR"))
    studies = scan_path(dicomdir)
    assert len(studies) == 6
    assert {s.patient_name for s in studies} == {"Doe^Archibald", "Doe^Peter"}
    scouts = [s for study in studies for s in study.series if s.description == "Scout"]
    assert {s.stack_label for s in scouts} >= {"sagittal 16x16", "coronal 16x16"}
    volume = load_image(dicomdir)
    assert volume.shape[0] == 5  # the largest image series
    assert any("other image series" in note for note in volume.metadata.notes)
    same_from_folder = scan_path(dicomdir.parent)
    # The folder holds every file the DICOMDIR lists (and one it does not).
    assert sum(len(s.series) for s in same_from_folder) >= sum(len(s.series) for s in studies)
