"""Reader for MIMIC-CXR-style folders: files/pXX/pNNNNNNNN/sNNNNNNNN/*.jpg + sNNNNNNNN.txt."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from training.data.report_sections import findings_and_impression, report_sections
from vividmed_viewer.core import ImageLoadError, ImageVolume
from vividmed_viewer.io import load_radiograph

logger = logging.getLogger(__name__)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass
class RadiographStudy:
    """One study: its images and its free-text report."""

    patient_id: str
    study_id: str
    image_paths: list[Path]
    report_path: Path
    report: str
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def target_text(self) -> str:
        """FINDINGS + IMPRESSION (what a generated report is compared with)."""
        return findings_and_impression(self.report)

    def load_image(self, index: int = 0) -> ImageVolume:
        return load_radiograph(self.image_paths[index], modality="DX")


def read_mimic_cxr(root: str | Path) -> Iterator[RadiographStudy]:
    """Every study under ``root/files`` (or ``root`` itself) that has images and a report."""
    root = Path(root)
    files = root / "files" if (root / "files").is_dir() else root
    if not files.is_dir():
        raise ImageLoadError(root, "not a folder; expected MIMIC-CXR's files/pXX/pNNN/sNNN layout")
    found = 0
    for patient_dir in sorted(files.glob("p*/p*")):
        if not patient_dir.is_dir():
            continue
        for study_dir in sorted(p for p in patient_dir.glob("s*") if p.is_dir()):
            report_path = patient_dir / f"{study_dir.name}.txt"
            images = sorted(p for p in study_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not report_path.exists() or not images:
                logger.warning("skipping %s: missing report or images", study_dir)
                continue
            report = report_path.read_text(encoding="utf-8", errors="replace")
            found += 1
            yield RadiographStudy(
                patient_dir.name,
                study_dir.name,
                images,
                report_path,
                report,
                report_sections(report),
            )
    if not found:
        raise ImageLoadError(root, "no study found (expected files/pXX/pNNN/sNNN/*.jpg + sNNN.txt)")
