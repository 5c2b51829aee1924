"""Open a result bundle written by ``vividmed infer``: its report and its answers."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from vividmed_viewer.core.conversation import Conversation
from vividmed_viewer.core.errors import InferenceError, SerializationError
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.inference.bundle_writer import ANSWERS_FORMAT, DONE_NAME, ERROR_NAME
from vividmed_viewer.inference.cases import image_stem, safe_case_id

logger = logging.getLogger(__name__)


def load_result_bundle(folder: str | Path) -> tuple[GroundedReport, Conversation]:
    """The report and the answered questions (a Conversation) of a complete bundle."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InferenceError(f"{folder}: no such result bundle folder")
    if (folder / ERROR_NAME).is_file() and not (folder / DONE_NAME).is_file():
        problem = (folder / ERROR_NAME).read_text(encoding="utf-8").strip().splitlines()
        raise InferenceError(
            f"{folder}: this case failed in the batch run: {problem[-1] if problem else ''}"
        )
    if not (folder / DONE_NAME).is_file():
        raise InferenceError(
            f"{folder}: incomplete result bundle (no {DONE_NAME}: the run was interrupted)"
        )
    report = GroundedReport.load(folder / "report.json")
    answers = Conversation(image_reference=report.image_reference)
    answers_path = folder / "answers.json"
    if answers_path.is_file():
        try:
            data = json.loads(answers_path.read_text(encoding="utf-8"))
            if data.get("format") != ANSWERS_FORMAT:
                raise SerializationError(f"not {ANSWERS_FORMAT}")
            answers = Conversation.from_dict(data["conversation"])
        except (
            OSError,
            json.JSONDecodeError,
            KeyError,
            TypeError,
            ValueError,
            SerializationError,
        ) as error:
            raise SerializationError(f"{answers_path}: cannot read the answers: {error}") from error
    return report, answers


def _names_image(folder: Path, wanted: set[str]) -> bool:
    try:
        data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        logger.warning("skipping %s: %s", folder, error)
        return False
    return isinstance(data, dict) and data.get("image_reference") in wanted


def find_result_bundle(results_dir: str | Path, image_path: str | Path) -> Path | None:
    """The complete bundle for an image: ``results_dir`` itself, ``results_dir/<stem>``, or
    the bundle whose report names the image; None when there is none."""
    results_dir, image = Path(results_dir), Path(image_path)
    if (results_dir / DONE_NAME).is_file():
        return results_dir
    candidate = results_dir / safe_case_id(image_stem(image))
    if (candidate / DONE_NAME).is_file():
        return candidate
    wanted = {str(image), image.name}
    if image.exists():
        wanted.add(str(image.resolve()))
    for done in sorted(results_dir.glob(f"*/{DONE_NAME}")):
        if _names_image(done.parent, wanted):
            return done.parent
    return None
