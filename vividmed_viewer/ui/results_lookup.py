"""Find stored model output for an image in a results folder (``--results DIR``).

Two layouts are understood: result bundles written by ``vividmed infer`` (one folder per
case with ``report.json``, answers, masks and ``DONE``) and plain grounded-report JSON files.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from vividmed_viewer.core import Conversation, GroundedReport
from vividmed_viewer.inference.bundle_reader import find_result_bundle, load_result_bundle
from vividmed_viewer.inference.bundle_writer import DONE_NAME
from vividmed_viewer.inference.cases import safe_case_id
from vividmed_viewer.io.formats import image_stem

logger = logging.getLogger(__name__)

BUNDLE_FILES = ("model.json", "answers.json", "boxes.json")


@dataclass
class StoredResults:
    """A stored report and, from a bundle, the answered questions."""

    report: GroundedReport
    answers: Conversation | None
    location: Path


def _is_report_candidate(path: Path) -> bool:
    if path.name in BUNDLE_FILES:
        return False
    return path.name != "report.json" or (path.parent / DONE_NAME).is_file()


def find_result_report(results_dir: Path, image_path: Path) -> Path | None:
    """``DIR/<stem>.json`` or ``DIR/report_<stem>.json``, else the first JSON report whose
    ``image_reference`` names the image.

    Reports inside incomplete bundles (no ``DONE``) are never picked.
    """
    stem = image_stem(image_path)
    for candidate in (results_dir / f"{stem}.json", results_dir / f"report_{stem}.json"):
        if candidate.is_file():
            return candidate
    wanted = {str(image_path), str(image_path.resolve()), image_path.name}
    for report_path in sorted(results_dir.glob("**/*.json")):
        if not _is_report_candidate(report_path):
            continue
        try:
            data = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            logger.warning("skipping %s: %s", report_path, error)
            continue
        if isinstance(data, dict) and data.get("image_reference") in wanted:
            return report_path
    return None


def bundle_image(folder: Path) -> Path | None:
    """The image a complete single-case bundle was made from (None when not one or gone)."""
    if not (folder / DONE_NAME).is_file():
        return None
    try:
        image = json.loads((folder / "model.json").read_text(encoding="utf-8")).get("image")
    except (OSError, json.JSONDecodeError, AttributeError) as error:
        logger.warning("%s: cannot read the bundle's model.json: %s", folder, error)
        return None
    if not image or not Path(image).exists():
        logger.warning("%s: the bundle's image %s is not there", folder, image)
        return None
    return Path(image)


def find_stored_results(results_dir: Path, image_path: Path) -> StoredResults | None:
    """The bundle (or report file) stored for ``image_path``; None when there is none.

    Raises ``VividMedError`` naming the folder when the image's bundle exists but failed in
    the batch run, is incomplete, or cannot be read.
    """
    bundle = find_result_bundle(results_dir, image_path)
    if bundle is None:
        own_folder = results_dir / safe_case_id(image_stem(image_path))
        if any((own_folder / name).is_file() for name in ("error.txt", "report.json")):
            load_result_bundle(own_folder)  # raises: the case failed or its bundle is incomplete
        report_path = find_result_report(results_dir, image_path)
        if report_path is None:
            return None
        return StoredResults(GroundedReport.load(report_path), None, report_path)
    report, answers = load_result_bundle(bundle)
    return StoredResults(report, answers, bundle)
