"""One image-stem rule for bundle names and their lookup; value and length units of files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import WrittenSeries, phantom_volume, write
from PIL import Image

from vividmed_viewer.core import ImageVolume
from vividmed_viewer.core.cursor_position import format_cursor_position
from vividmed_viewer.inference import cases
from vividmed_viewer.inference.cases import find_cases
from vividmed_viewer.io import load_image, write_dicom_radiograph
from vividmed_viewer.io.formats import image_stem
from vividmed_viewer.ui import results_lookup


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("scan.nii.gz", "scan"),
        ("SCAN.NII.GZ", "SCAN"),
        ("scan.nii", "scan"),
        ("chest.png", "chest"),
        ("chest.JPEG", "chest"),
        ("IM0001.dcm", "IM0001"),
        ("IM0001.IMA", "IM0001"),
        ("slice.dicom", "slice"),
        ("notes.txt", "notes.txt"),
        ("study.2024", "study.2024"),
        (".png", ".png"),
    ],
)
def test_image_stem_is_one_rule_for_infer_and_the_viewer(name: str, stem: str) -> None:
    path = Path("/data") / name
    assert image_stem(path) == stem
    assert cases.image_stem(path) == stem  # how `vividmed infer` names the bundle
    assert results_lookup.image_stem(path) == stem  # how the viewer's --results finds it


def test_infer_names_a_bundle_after_the_stem(tmp_path: Path) -> None:
    image = tmp_path / "CT_0001.IMA"
    write_dicom_radiograph(ImageVolume(np.zeros((1, 8, 8), dtype=np.uint16), modality="DX"), image)
    (case,) = find_cases(image)
    assert case.case_id == "CT_0001"


def test_loaded_series_read_in_hu_or_raw(tmp_path: Path, plain_series: WrittenSeries) -> None:
    assert load_image(plain_series.folder).value_units == "HU"
    mr = phantom_volume(4)
    mr.modality = "MR"
    written = write(tmp_path / "mr", mr, series_description="mr")
    volume = load_image(written.folder)
    # our writer stores RescaleType "US" (unspecified) for non-CT images: no units
    assert volume.modality == "MR" and volume.value_units == "raw"


def test_positions_of_images_without_pixel_spacing_are_in_pixels(
    tmp_path: Path, plain_series: WrittenSeries
) -> None:
    Image.fromarray(np.zeros((10, 20), dtype=np.uint8)).save(tmp_path / "x.png")
    png = load_image(tmp_path / "x.png")
    assert format_cursor_position(png, (0, 4, 9)) == "x 9  y 4 px"
    radiograph = load_image(
        write_dicom_radiograph(
            ImageVolume(np.zeros((1, 8, 6), dtype=np.uint16), modality="DX"),
            tmp_path / "none.dcm",
            spacing_attribute=None,
        )
    )
    assert format_cursor_position(radiograph, (0, 2, 3)) == "x 3  y 2 px"
    ct = load_image(plain_series.folder)
    assert format_cursor_position(ct, (0, 0, 0)).endswith(" mm")
