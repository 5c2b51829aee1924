"""Readers for MIMIC-CXR-style and CT-RATE-style folders, on small files written here."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.data.ct_rate import read_ct_rate
from training.data.mimic_cxr import read_mimic_cxr
from training.data.report_sections import report_sections
from vividmed_viewer.core import GridGeometry, ImageLoadError
from vividmed_viewer.io import save_nifti

REPORT = """                                 FINAL REPORT
 EXAMINATION:  CHEST (PA AND LAT)

 INDICATION:  Cough.

 FINDINGS:
 Small left pleural effusion.  No pneumothorax.

 IMPRESSION:
 Small left effusion.
"""


def _write_mimic(root: Path) -> None:
    study = root / "files" / "p10" / "p10000032" / "s50414267"
    study.mkdir(parents=True)
    pixels = (np.arange(64 * 48).reshape(64, 48) % 251).astype(np.uint8)
    Image.fromarray(pixels).save(study / "02aa804e-bde0afdd.jpg")
    Image.fromarray(pixels[::-1]).save(study / "174413ec-4ec4c1f7.jpg")
    (root / "files" / "p10" / "p10000032" / "s50414267.txt").write_text(REPORT)
    lonely = root / "files" / "p10" / "p10000033" / "s50000001"
    lonely.mkdir(parents=True)  # no report: skipped


def test_mimic_cxr_layout_is_read(tmp_path: Path) -> None:
    _write_mimic(tmp_path)
    (study,) = list(read_mimic_cxr(tmp_path))
    assert (study.patient_id, study.study_id) == ("p10000032", "s50414267")
    assert [p.name for p in study.image_paths] == ["02aa804e-bde0afdd.jpg", "174413ec-4ec4c1f7.jpg"]
    assert study.sections["findings"] == "Small left pleural effusion. No pneumothorax."
    assert study.target_text == "Small left pleural effusion. No pneumothorax. Small left effusion."
    image = study.load_image(0)
    assert image.is_2d and image.shape == (1, 64, 48) and image.modality == "DX"


def test_mimic_cxr_errors_name_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="no study found"):
        list(read_mimic_cxr(tmp_path))
    with pytest.raises(ImageLoadError, match="not a folder"):
        list(read_mimic_cxr(tmp_path / "missing"))


def test_report_sections_without_headers() -> None:
    assert report_sections("Lungs are clear.") == {}


def _write_ct_rate(root: Path) -> Path:
    folder = root / "dataset" / "valid" / "valid_1" / "valid_1_a"
    geometry = GridGeometry((6, 8, 10), (2.0, 0.8, 0.8))
    volume = (np.arange(480).reshape(6, 8, 10) - 1000).astype(np.int16)
    save_nifti(volume, geometry, folder / "valid_1_a_1.nii.gz")
    reports = root / "valid_reports.csv"
    with reports.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "VolumeName",
                "ClinicalInformation_EN",
                "Technique_EN",
                "Findings_EN",
                "Impressions_EN",
            ]
        )
        writer.writerow(
            [
                "valid_1_a_1.nii.gz",
                "Cough.",
                "Non-contrast.",
                "A 6 mm nodule in the RUL.",
                "Nodule.",
            ]
        )
        writer.writerow(["valid_2_a_1.nii.gz", "", "", "Normal.", "Normal."])  # volume absent
    return reports


def test_ct_rate_layout_is_read(tmp_path: Path) -> None:
    reports = _write_ct_rate(tmp_path)
    (item,) = list(read_ct_rate(tmp_path / "dataset", reports))
    assert item.volume_name == "valid_1_a_1.nii.gz"
    assert item.report == "FINDINGS: A 6 mm nodule in the RUL.\nIMPRESSION: Nodule."
    volume = item.load_image()
    assert volume.modality == "CT" and volume.shape == (6, 8, 10)
    assert volume.voxels.min() == -1000 and np.allclose(volume.spacing, (2.0, 0.8, 0.8))


def test_ct_rate_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="reports CSV not found"):
        list(read_ct_rate(tmp_path, tmp_path / "nope.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("VolumeName,Findings\nx.nii.gz,ok\n")
    with pytest.raises(ImageLoadError, match="missing column\\(s\\) Findings_EN, Impressions_EN"):
        list(read_ct_rate(tmp_path, bad))
