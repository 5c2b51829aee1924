"""The cases of a batch run: one image file, a folder of studies, or a CSV case list."""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from vividmed_viewer.core.errors import InferenceError

logger = logging.getLogger(__name__)

CSV_COLUMNS = ("case_id", "path")
IMAGE_SUFFIXES = (".nii", ".nii.gz", ".png", ".jpg", ".jpeg", ".dcm")


@dataclass(frozen=True)
class Case:
    """One image to run the model on; ``case_id`` names its result bundle folder."""

    case_id: str
    path: Path
    series_key: str | None = None


def safe_case_id(text: str) -> str:
    """A folder name made of letters, digits, ``-``, ``_`` and ``.`` only."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text.strip()).strip("._")
    return cleaned or "case"


def image_stem(path: Path) -> str:
    """The image stem a case's bundle is named after: :func:`vividmed_viewer.io.formats.image_stem`."""
    from vividmed_viewer.io.formats import image_stem as stem_of_image

    return stem_of_image(path)


def read_case_list(csv_path: Path) -> list[Case]:
    """Cases from a CSV with columns ``case_id,path`` (relative paths: from the CSV's folder)."""
    try:
        with csv_path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in CSV_COLUMNS if c not in columns]
            if missing:
                raise InferenceError(
                    f"{csv_path}: the case list needs the columns {', '.join(CSV_COLUMNS)}; "
                    f"missing {', '.join(missing)} (found {', '.join(columns) or 'none'})"
                )
            rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InferenceError(f"{csv_path}: cannot read the case list: {error}") from error
    cases: list[Case] = []
    for number, row in enumerate(rows, start=2):
        if not row.get("case_id") or not row.get("path"):
            raise InferenceError(f"{csv_path}, line {number}: case_id and path must not be empty")
        path = Path(row["path"]).expanduser()
        cases.append(
            Case(
                safe_case_id(row["case_id"]), path if path.is_absolute() else csv_path.parent / path
            )
        )
    return cases


def _folder_cases(folder: Path) -> list[Case]:
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    subfolders = [p for p in entries if p.is_dir()]
    files = [p for p in entries if p.is_file()]
    if (
        not subfolders
        and files
        and all(not p.name.lower().endswith(IMAGE_SUFFIXES[:-1]) for p in files)
    ):
        return _flat_dicom_cases(folder)
    cases = [Case(safe_case_id(p.name), p) for p in subfolders]
    cases += [
        Case(safe_case_id(image_stem(p)), p)
        for p in files
        if p.name.lower().endswith(IMAGE_SUFFIXES)
    ]
    return cases


def _flat_dicom_cases(folder: Path) -> list[Case]:
    """A folder of DICOM files only: one case when it is one series, else one per series."""
    from vividmed_viewer.io import scan_path

    series = [s for study in scan_path(folder) for s in study.image_series]
    if len(series) <= 1:
        return [Case(safe_case_id(folder.name), folder)]
    cases = []
    for number, one in enumerate(series, start=1):
        name = image_stem(one.files[0]) if len(one.files) == 1 else f"series{number:03d}"
        cases.append(Case(safe_case_id(name), folder, series_key=one.key))
    return cases


def find_cases(input_path: str | Path) -> list[Case]:
    """The cases ``input_path`` names; raises naming the path when there are none."""
    path = Path(input_path).expanduser()
    if not path.exists():
        raise InferenceError(f"{path}: no such file or folder")
    if path.is_file() and path.suffix.lower() == ".csv":
        cases = read_case_list(path)
    elif path.is_file():
        cases = [Case(safe_case_id(image_stem(path)), path)]
    else:
        cases = _folder_cases(path)
    if not cases:
        raise InferenceError(f"{path}: no cases found (expected images, study folders or a CSV)")
    duplicates = sorted(
        {c.case_id for c in cases if [d.case_id for d in cases].count(c.case_id) > 1}
    )
    if duplicates:
        raise InferenceError(f"{path}: case ids must be unique; repeated: {', '.join(duplicates)}")
    logger.info("%d case(s) in %s", len(cases), path)
    return cases
