"""NIfTI geometry (RAS ↔ LPS), PNG/JPEG radiographs, and every error message a user can hit."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from conftest import WrittenSeries
from PIL import Image

from vividmed_viewer.core.errors import DicomError, ImageLoadError, NiftiError, RadiographError
from vividmed_viewer.io import (
    ImageNotFoundError,
    NoImagesFoundError,
    UnsupportedFormatError,
    load_image,
    load_nifti,
    save_nifti,
    scan_path,
)

RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0])


def _marker_nifti(
    path: Path, affine: np.ndarray, *, sform_code: int = 1, qform: np.ndarray | None = None
) -> np.ndarray:
    """Write a 10×12×14 (i, j, k) image with a marker; return the marker's LPS position."""
    data = np.zeros((10, 12, 14), dtype=np.int16)
    ijk = (2, 7, 11)
    data[ijk] = 900
    image = nib.Nifti1Image(data, affine)
    image.set_sform(affine, code=sform_code)
    image.set_qform(affine if qform is None else qform, code=1)
    nib.save(image, path)
    return RAS_TO_LPS @ (affine @ np.array([*ijk, 1.0]))[:3]


def _marker_lps(volume) -> np.ndarray:  # type: ignore[no-untyped-def]
    index = np.unravel_index(int(np.argmax(volume.voxels)), volume.shape)
    return volume.index_to_patient(index)


@pytest.mark.parametrize(
    "diagonal",
    [(2.0, 3.0, 4.0), (-2.0, 3.0, -4.0), (-0.8, -0.8, 1.5)],
    ids=["RAS", "flipped", "LPS"],
)
def test_nifti_marker_comes_back_at_its_lps_position(
    tmp_path: Path, diagonal: tuple[float, ...]
) -> None:
    affine = np.diag([*diagonal, 1.0])
    affine[:3, 3] = (-40.0, 25.0, -60.0)
    expected = _marker_nifti(tmp_path / "m.nii.gz", affine)
    volume = load_image(tmp_path / "m.nii.gz")
    assert volume.shape == (14, 12, 10)  # (z, y, x) = (k, j, i)
    np.testing.assert_allclose(_marker_lps(volume), expected, atol=1e-4)
    np.testing.assert_allclose(volume.spacing, np.abs(diagonal[::-1]), atol=1e-5)


def test_sform_preferred_over_qform_and_qform_used_without_it(tmp_path: Path) -> None:
    sform = np.diag([2.0, 2.0, 2.0, 1.0])
    qform = np.diag([1.0, 1.0, 1.0, 1.0])
    expected = _marker_nifti(tmp_path / "s.nii", sform, qform=qform)
    np.testing.assert_allclose(_marker_lps(load_nifti(tmp_path / "s.nii")), expected, atol=1e-4)
    _marker_nifti(tmp_path / "q.nii", sform, sform_code=0, qform=qform)
    np.testing.assert_allclose(
        _marker_lps(load_nifti(tmp_path / "q.nii")),
        RAS_TO_LPS @ np.array([2.0, 7.0, 11.0]),
        atol=1e-4,
    )


def test_dicom_to_nifti_round_trip_keeps_the_marker(
    plain_series: WrittenSeries, tmp_path: Path
) -> None:
    import SimpleITK

    volume = load_image(plain_series.folder)
    path = save_nifti(volume.voxels, volume.geometry, tmp_path / "ct.nii.gz")
    again = load_nifti(path)
    np.testing.assert_array_equal(again.voxels, volume.voxels)
    assert again.geometry.same_grid(volume.geometry, tolerance=1e-4)
    np.testing.assert_allclose(_marker_lps(again), plain_series.marker_patient, atol=1e-3)
    image = SimpleITK.ReadImage(str(path))  # an independent reader agrees (ITK works in LPS)
    z, y, x = np.unravel_index(int(np.argmax(volume.voxels)), volume.shape)
    point = image.TransformIndexToPhysicalPoint((int(x), int(y), int(z)))
    np.testing.assert_allclose(point, plain_series.marker_patient, atol=1e-3)


def test_oblique_mask_round_trip(oblique_series: WrittenSeries, tmp_path: Path) -> None:
    geometry = oblique_series.volume.geometry
    mask = oblique_series.volume.voxels > 1000
    loaded = load_nifti(save_nifti(mask, geometry, tmp_path / "mask.nii.gz"))
    assert loaded.geometry.same_grid(geometry, tolerance=1e-4)
    np.testing.assert_array_equal(loaded.voxels.astype(bool), mask)


def test_4d_nifti_loads_first_volume_with_a_note(tmp_path: Path) -> None:
    data = np.stack([np.full((4, 5, 6), t, dtype=np.float32) for t in range(3)], axis=-1)
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "fmri.nii")
    volume = load_image(tmp_path / "fmri.nii")
    assert volume.shape == (6, 5, 4) and float(volume.voxels.max()) == 0.0
    assert any(
        "4D file with 3 volumes: only the first volume is shown" in w for w in volume.warnings
    )


def test_nifti_modality_from_description_or_hounsfield_range(tmp_path: Path) -> None:
    ct_values = np.full((6, 5, 4), -1024, dtype=np.int16)
    ct_values[2, 2, 2] = 1200
    nib.save(nib.Nifti1Image(ct_values, np.eye(4)), tmp_path / "ct.nii.gz")
    ct = load_image(tmp_path / "ct.nii.gz")
    assert ct.modality == "CT" and ct.metadata.units == "HU"
    assert (ct.window.center, ct.window.width) == (40, 400)
    assert any("CT assumed from the Hounsfield value range" in w for w in ct.warnings)
    mr = nib.Nifti1Image(np.arange(120, dtype=np.int16).reshape(6, 5, 4), np.eye(4))
    mr.header["descrip"] = b"T1 brain, modality=MR"
    nib.save(mr, tmp_path / "mr.nii")
    stated = load_image(tmp_path / "mr.nii")
    assert stated.modality == "MR" and stated.warnings == []
    assert load_nifti(tmp_path / "ct.nii.gz", modality="PT").modality == "PT"
    floats = nib.Nifti1Image(
        np.linspace(-1024, 500, 120, dtype=np.float32).reshape(6, 5, 4), np.eye(4)
    )
    nib.save(floats, tmp_path / "float.nii")
    assert load_image(tmp_path / "float.nii").modality == "OT"


def test_png_and_jpeg_radiographs(tmp_path: Path) -> None:
    gray8 = (np.arange(40 * 30) % 256).astype(np.uint8).reshape(40, 30)
    Image.fromarray(gray8).save(tmp_path / "a.png")
    volume = load_image(tmp_path / "a.png")
    np.testing.assert_array_equal(volume.voxels[0], gray8)
    assert volume.modality == "OT" and not volume.spacing_known and volume.warnings == []
    gray16 = (np.arange(40 * 30) * 50).astype(np.uint16).reshape(40, 30)
    Image.fromarray(gray16).save(tmp_path / "b.png")
    volume16 = load_image(tmp_path / "b.png", modality="CR")
    np.testing.assert_array_equal(volume16.voxels[0], gray16)
    assert volume16.modality == "CR"
    rgb = np.zeros((20, 24, 3), dtype=np.uint8)
    rgb[..., 1] = 200
    Image.fromarray(rgb).save(tmp_path / "c.jpg", quality=95)
    colour = load_image(tmp_path / "c.jpg")
    assert colour.shape == (1, 20, 24)
    assert any("converted to grayscale" in w for w in colour.warnings)


def test_error_messages_name_the_path_and_problem(tmp_path: Path) -> None:
    from pydicom.data import get_testdata_file

    with pytest.raises(ImageNotFoundError, match=r"nothing\.dcm: no such file or folder"):
        load_image(tmp_path / "nothing.dcm")
    with pytest.raises(ImageNotFoundError, match="no such file or folder"):
        scan_path(tmp_path / "missing-folder")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UnsupportedFormatError, match=r"notes\.txt: unknown format"):
        load_image(tmp_path / "notes.txt")
    (tmp_path / "empty.dcm").write_bytes(b"")
    with pytest.raises(UnsupportedFormatError, match=r"empty\.dcm: the file is empty"):
        load_image(tmp_path / "empty.dcm")
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    with pytest.raises(
        NoImagesFoundError, match=r"empty-folder: no DICOM images or objects found \(0 file"
    ):
        load_image(empty)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.txt").write_text("x")
    with pytest.raises(NoImagesFoundError, match=r"junk: .*1 not DICOM"):
        load_image(junk)
    corrupt = tmp_path / "corrupt.dcm"
    corrupt.write_bytes(b"\0" * 128 + b"DICM" + b"\xff" * 300)
    with pytest.raises(DicomError, match=r"corrupt\.dcm: .*corrupt"):
        load_image(corrupt)
    with pytest.raises(
        NoImagesFoundError, match=r"reportsi\.dcm: no image series, only non-image objects \(SR\)"
    ):
        load_image(get_testdata_file("reportsi.dcm"))
    (tmp_path / "bad.nii").write_bytes(b"\0" * 344 + b"n+1\0" + b"\0" * 20)
    with pytest.raises(NiftiError, match=r"bad\.nii: not a readable NIfTI file"):
        load_image(tmp_path / "bad.nii")
    (tmp_path / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 30)
    with pytest.raises(RadiographError, match=r"cut\.png: "):
        load_image(tmp_path / "cut.png")
    assert issubclass(NoImagesFoundError, ImageLoadError)


def test_unknown_series_key_lists_the_known_ones(plain_series: WrittenSeries) -> None:
    with pytest.raises(DicomError, match=r"no image series 'nope' here \(image series: "):
        load_image(plain_series.folder, series_key="nope")


def test_writer_errors_say_what_is_wrong(tmp_path: Path, plain_series: WrittenSeries) -> None:
    from vividmed_viewer.io import ImageWriteError, write_dicom_radiograph, write_dicom_series

    volume = plain_series.volume
    with pytest.raises(ImageWriteError, match=r"a radiograph has one slice, this volume has 12"):
        write_dicom_radiograph(volume, tmp_path / "x.dcm")
    with pytest.raises(ImageWriteError, match=r"at least 64 pixels a side"):
        write_dicom_series(volume, tmp_path / "j2k", transfer_syntax="1.2.840.10008.1.2.4.90")
    with pytest.raises(ImageWriteError, match=r"does not match the geometry"):
        save_nifti(volume.voxels[:3], volume.geometry, tmp_path / "bad.nii.gz")
