"""Series written by our writer: order, geometry, gaps, duplicates, corrupt files, mixed folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import SimpleITK
from conftest import MARKER_INDEX, MARKER_VALUE, OBLIQUE, WrittenSeries, phantom_volume, write

from vividmed_viewer.core import SeriesKind
from vividmed_viewer.io import (
    LoadCancelled,
    load_image,
    load_series,
    read_preview,
    scan_path,
)


def marker_position(volume) -> np.ndarray:  # type: ignore[no-untyped-def]
    index = np.unravel_index(int(np.argmax(volume.voxels)), volume.shape)
    return volume.index_to_patient(index)


def only_series(folder: Path):  # type: ignore[no-untyped-def]
    studies = scan_path(folder)
    assert len(studies) == 1 and len(studies[0].image_series) == 1
    return studies[0].image_series[0]


def test_round_trip_keeps_values_geometry_and_window(plain_series: WrittenSeries) -> None:
    volume = load_image(plain_series.folder)
    np.testing.assert_array_equal(volume.voxels, plain_series.volume.voxels)
    assert volume.voxels.dtype == np.int16
    assert volume.geometry.same_grid(plain_series.volume.geometry, tolerance=1e-3)
    assert volume.modality == "CT" and volume.metadata.units == "HU"
    assert (volume.display_window.center, volume.display_window.width) == (40, 400)
    assert volume.warnings == []
    assert volume.metadata.series_description == "plain"


def test_marker_lands_at_its_lps_position(plain_series: WrittenSeries) -> None:
    volume = load_image(plain_series.folder)
    np.testing.assert_allclose(marker_position(volume), plain_series.marker_patient, atol=1e-3)


def test_simpleitk_agrees_on_the_marker_position(plain_series: WrittenSeries) -> None:
    reader = SimpleITK.ImageSeriesReader()
    reader.SetFileNames([str(p) for p in plain_series.files])
    image = reader.Execute()
    z, y, x = MARKER_INDEX
    point = image.TransformIndexToPhysicalPoint((x, y, z))
    np.testing.assert_allclose(point, plain_series.marker_patient, atol=1e-3)


def test_order_comes_from_positions_not_names_or_instance_numbers(
    shuffled_series: WrittenSeries,
) -> None:
    series = only_series(shuffled_series.folder)
    volume = load_series(series)
    np.testing.assert_array_equal(volume.voxels, shuffled_series.volume.voxels)
    np.testing.assert_allclose(marker_position(volume), shuffled_series.marker_patient, atol=1e-3)


def test_missing_slice_warns_and_keeps_distances(missing_slice_series: WrittenSeries) -> None:
    volume = load_image(missing_slice_series.folder)
    assert volume.shape == missing_slice_series.volume.shape
    assert any("missing slice" in w and "IM0008.dcm" in w for w in volume.warnings)
    np.testing.assert_allclose(volume.spacing[0], 2.0, atol=1e-4)
    np.testing.assert_allclose(
        marker_position(volume), missing_slice_series.marker_patient, atol=1e-3
    )
    assert np.all(volume.voxels[8] == -1000)  # the blank slice holds air


def test_corrupt_files_are_skipped_with_their_names(corrupt_series: WrittenSeries) -> None:
    studies = scan_path(corrupt_series.folder)
    assert any("GARBAGE.dcm" in w for w in studies[0].warnings)
    volume = load_image(corrupt_series.folder)
    truncated = corrupt_series.files[3].name
    assert any(truncated in w and "blank" in w for w in volume.warnings), volume.warnings
    assert any("GARBAGE.dcm" in w for w in volume.warnings)
    assert not any("README" in w for w in volume.warnings)
    np.testing.assert_array_equal(volume.voxels[5:], corrupt_series.volume.voxels[5:])


def test_mixed_folder_lists_both_and_loads_the_larger(
    mixed_folder: tuple[Path, WrittenSeries, WrittenSeries],
) -> None:
    folder, small, _large = mixed_folder
    studies = scan_path(folder)
    assert len(studies) == 1
    descriptions = sorted(s.description for s in studies[0].image_series)
    assert descriptions == ["large", "small"]
    volume = load_image(folder)
    assert volume.shape[0] == 12 and volume.metadata.series_description == "large"
    assert any("1 other image series" in note for note in volume.metadata.notes)
    small_key = next(s.key for s in studies[0].series if s.description == "small")
    chosen = load_image(folder, series_key=small_key)
    np.testing.assert_array_equal(chosen.voxels, small.volume.voxels)
    np.testing.assert_allclose(chosen.spacing[0], 3.0, atol=1e-4)


def test_oblique_geometry(oblique_series: WrittenSeries) -> None:
    volume = load_image(oblique_series.folder)
    np.testing.assert_allclose(volume.direction, oblique_series.volume.direction, atol=1e-5)
    np.testing.assert_allclose(marker_position(volume), oblique_series.marker_patient, atol=1e-3)
    assert only_series(oblique_series.folder).stack_label == ""


@pytest.mark.parametrize("thickness", [0.5, 5.0])
def test_thin_and_thick_slices(tmp_path: Path, thickness: float) -> None:
    written = write(tmp_path, phantom_volume(spacing=(thickness, 0.6, 0.6)))
    volume = load_image(tmp_path)
    np.testing.assert_allclose(volume.spacing, (thickness, 0.6, 0.6), atol=1e-5)
    assert volume.warnings == []
    np.testing.assert_allclose(marker_position(volume), written.marker_patient, atol=1e-3)


def test_duplicate_position_is_dropped_with_a_warning(duplicate_series: WrittenSeries) -> None:
    volume = load_image(duplicate_series.folder)
    assert volume.shape == duplicate_series.volume.shape
    assert any("duplicate position" in w and "ZZ_copy.dcm" in w for w in volume.warnings)


def test_uneven_spacing_warns(tmp_path: Path) -> None:
    import pydicom

    written = write(tmp_path, phantom_volume())
    dataset = pydicom.dcmread(written.files[6])
    position = [float(v) for v in dataset.ImagePositionPatient]
    dataset.ImagePositionPatient = [position[0], position[1], position[2] + 0.7]
    dataset.save_as(written.files[6])
    volume = load_image(tmp_path)
    assert any("uneven slice spacing" in w for w in volume.warnings)


def test_two_orientations_in_one_series_are_split(tmp_path: Path) -> None:
    from pydicom.uid import generate_uid

    uid, study = generate_uid(), generate_uid()
    write(
        tmp_path,
        phantom_volume(6),
        series_instance_uid=uid,
        study_instance_uid=study,
        file_name_pattern="ax{number}.dcm",
    )
    write(
        tmp_path,
        phantom_volume(4, direction=OBLIQUE, origin=(0.0, 0.0, 0.0)),
        series_instance_uid=uid,
        study_instance_uid=study,
        file_name_pattern="ob{number}.dcm",
    )
    series = scan_path(tmp_path)[0].image_series
    assert sorted(s.stack_label for s in series) == ["axial 28x24", "oblique 28x24"]
    assert len({s.key for s in series}) == 2
    oblique = next(s for s in series if s.stack_label.startswith("oblique"))
    assert load_series(oblique).shape[0] == 4


def test_progress_and_cancel(plain_series: WrittenSeries) -> None:
    series = only_series(plain_series.folder)
    reports: list[tuple[int, int]] = []
    load_series(series, progress=lambda done, total: reports.append((done, total)), workers=2)
    assert reports[-1] == (12, 12) and len(reports) == 12
    with pytest.raises(LoadCancelled, match="cancelled"):
        load_series(series, cancel=lambda: True)
    calls = iter(range(100))
    with pytest.raises(LoadCancelled, match=r"after \d+ of 12 slices"):
        load_series(series, cancel=lambda: next(calls) >= 3, workers=1)


def test_preview_is_the_middle_slice(plain_series: WrittenSeries) -> None:
    series = only_series(plain_series.folder)
    preview = read_preview(series)
    assert preview.shape == (1, 24, 28)
    np.testing.assert_array_equal(preview.voxels[0], plain_series.volume.voxels[6])
    np.testing.assert_allclose(preview.origin, plain_series.volume.index_to_patient((6, 0, 0)))
    first = read_preview(series, index=0)
    np.testing.assert_allclose(first.origin, plain_series.volume.origin)


@pytest.mark.parametrize(
    "syntax",
    ["1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.80"],
    ids=["RLE", "JPEG2000-lossless", "JPEG-LS-lossless"],
)
def test_compressed_series_round_trip(tmp_path: Path, syntax: str) -> None:
    import pydicom

    # OpenJPEG's encoder uses 6 wavelet levels: images need at least 64 pixels a side.
    written = write(tmp_path, phantom_volume(6, size=(64, 72)), transfer_syntax=syntax)
    assert pydicom.dcmread(written.files[0]).file_meta.TransferSyntaxUID == syntax
    volume = load_image(tmp_path)
    np.testing.assert_array_equal(volume.voxels, written.volume.voxels)


def test_non_image_series_is_listed_not_loaded(tmp_path: Path) -> None:
    import shutil

    from pydicom.data import get_testdata_file

    from vividmed_viewer.core.errors import DicomError

    write(tmp_path, phantom_volume(6))
    shutil.copy(get_testdata_file("reportsi.dcm"), tmp_path / "report.dcm")
    study_series = [s for study in scan_path(tmp_path) for s in study.series]
    report = next(s for s in study_series if s.modality == "SR")
    assert report.kind is SeriesKind.NON_IMAGE
    with pytest.raises(DicomError, match="is not an image and cannot be shown"):
        load_series(report)
    assert MARKER_VALUE in load_image(tmp_path).voxels


def test_value_types_follow_the_rescaled_range(tmp_path: Path) -> None:
    from vividmed_viewer.core import ImageVolume

    voxels = phantom_volume(4).voxels.astype(np.int32)
    voxels[2, 3, 3] = 40000  # beyond int16 after the -1024 intercept: int32 is needed
    ct = ImageVolume(voxels, modality="CT")
    write(tmp_path / "wide", ct)
    wide = load_image(tmp_path / "wide")
    assert wide.voxels.dtype == np.int32
    np.testing.assert_array_equal(wide.voxels, ct.voxels.astype(np.int32))
    mr = ImageVolume(
        (np.arange(4 * 24 * 28) * 20).reshape(4, 24, 28).astype(np.uint16), modality="MR"
    )
    write(tmp_path / "mr", mr)
    unsigned = load_image(tmp_path / "mr")
    assert unsigned.voxels.dtype == np.uint16 and int(unsigned.voxels.max()) == int(mr.voxels.max())
    pet = ImageVolume(np.linspace(0, 7.5, 4 * 24 * 28).reshape(4, 24, 28), modality="PT")
    write(tmp_path / "pet", pet)
    floats = load_image(tmp_path / "pet")
    assert floats.voxels.dtype == np.float32
    np.testing.assert_allclose(floats.voxels, pet.voxels, atol=7.5 / 60000)


def test_large_compressed_series_decodes_in_worker_processes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    written = write(
        tmp_path, phantom_volume(50, size=(32, 32)), transfer_syntax="1.2.840.10008.1.2.5"
    )
    series = only_series(tmp_path)
    with caplog.at_level(logging.INFO, logger="vividmed_viewer.io.dicom.decode_pool"):
        volume = load_series(series, workers=2)
    assert any("with 2 processes" in r.getMessage() for r in caplog.records)
    np.testing.assert_array_equal(volume.voxels, written.volume.voxels)


def test_many_duplicates_give_one_summary_warning(tmp_path: Path) -> None:
    import pydicom
    from pydicom.uid import generate_uid

    written = write(tmp_path, phantom_volume(6))
    for index, path in enumerate(written.files):  # a second "phase" at the same positions
        dataset = pydicom.dcmread(path)
        dataset.SOPInstanceUID = generate_uid()
        dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
        dataset.save_as(tmp_path / f"phase2_{index}.dcm")
    volume = load_image(tmp_path)
    assert volume.shape[0] == 6
    duplicate_warnings = [w for w in volume.warnings if "duplicate" in w]
    assert len(duplicate_warnings) == 1
    assert "6 frames share a position" in duplicate_warnings[0]
