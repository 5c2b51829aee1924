"""Find a stored grounded report for an image in a results folder (``--results DIR``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def image_stem(path: Path) -> str:
    """A file's name without image suffixes (``scan.nii.gz`` → ``scan``)."""
    name = path.name
    for suffix in (".nii.gz", ".nii", ".dcm", ".png", ".jpg", ".jpeg"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def find_result_report(results_dir: Path, image_path: Path) -> Path | None:
    """``DIR/<stem>.json``, else the first JSON report whose ``image_reference`` names the image."""
    candidate = results_dir / f"{image_stem(image_path)}.json"
    if candidate.is_file():
        return candidate
    wanted = {str(image_path), str(image_path.resolve()), image_path.name}
    for report_path in sorted(results_dir.glob("**/*.json")):
        try:
            data = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            logger.warning("skipping %s: %s", report_path, error)
            continue
        if isinstance(data, dict) and data.get("image_reference") in wanted:
            return report_path
    return None
