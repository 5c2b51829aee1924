"""Reader for CT-RATE-style folders: NIfTI volumes (anywhere below a root) + a reports CSV.

The CSV has a ``VolumeName`` column (the file name, e.g. ``train_1_a_1.nii.gz``) and report
columns ``Findings_EN`` and ``Impressions_EN`` (``ClinicalInformation_EN`` optional).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vividmed_viewer.core import ImageLoadError, ImageVolume
from vividmed_viewer.io import load_nifti

REQUIRED_COLUMNS = ("VolumeName", "Findings_EN", "Impressions_EN")


@dataclass
class VolumeReport:
    """One CT volume and its report text."""

    volume_name: str
    volume_path: Path
    findings: str
    impression: str

    @property
    def report(self) -> str:
        return f"FINDINGS: {self.findings.strip()}\nIMPRESSION: {self.impression.strip()}"

    def load_image(self) -> ImageVolume:
        return load_nifti(self.volume_path, modality="CT")


def read_ct_rate(root: str | Path, reports_csv: str | Path) -> Iterator[VolumeReport]:
    """Rows of the CSV whose volume file exists below ``root``."""
    root, reports_csv = Path(root), Path(reports_csv)
    if not reports_csv.is_file():
        raise ImageLoadError(reports_csv, "reports CSV not found")
    volumes = {path.name: path for path in root.rglob("*.nii.gz")}
    with reports_csv.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImageLoadError(reports_csv, f"missing column(s) {', '.join(missing)}")
        for row in reader:
            name = row["VolumeName"].strip()
            if name in volumes:
                yield VolumeReport(name, volumes[name], row["Findings_EN"], row["Impressions_EN"])
