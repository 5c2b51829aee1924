"""Write one case's result bundle: report, masks (NIfTI), boxes, answers, model; DONE last.

Layout of ``OUT/<case_id>/``::

    report.json     GroundedReport.save (phrases linked to overlays)
    masks/NN_<target>_<overlay id>.nii.gz   each mask on the image grid
    boxes.json      every box in voxel (z, y, x) and patient (LPS mm) coordinates
    answers.json    the listed questions and their answers (a Conversation)
    model.json      pipeline.describe() + the run's settings
    DONE            written last, atomically: the bundle is complete
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vividmed_viewer.core.conversation import Conversation
from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.grounded_text import GroundedText
from vividmed_viewer.core.overlays import BoxOverlay, MaskOverlay, Overlay
from vividmed_viewer.core.report import GroundedReport

DONE_NAME = "DONE"
ERROR_NAME = "error.txt"
ANSWERS_FORMAT = "vividmed.batch_answers"
BOXES_FORMAT = "vividmed.boxes"


@dataclass
class CaseResult:
    """Everything the model made for one case."""

    case_id: str
    image_path: str
    geometry: GridGeometry
    report: GroundedReport
    answers: Conversation = field(default_factory=Conversation)
    model: dict[str, Any] = field(default_factory=dict)


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary name, flush to disk, then rename (never a half-written file)."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def is_complete(folder: Path) -> bool:
    return (folder / DONE_NAME).is_file()


def prepare_folder(folder: Path) -> None:
    """An empty case folder (what an interrupted or failed earlier attempt left is removed)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "region"


def _phrase_texts(body: GroundedText) -> dict[str, str]:
    return {oid: body.phrase_text(p) for p in body.phrases for oid in p.overlay_ids}


def _write_masks(folder: Path, prefix: str, overlays: list[Overlay]) -> list[str]:
    from vividmed_viewer.io import save_nifti

    written = []
    masks = [o for o in overlays if isinstance(o, MaskOverlay)]
    for number, mask in enumerate(masks, start=1):
        name = f"{prefix}{number:02d}_{_slug(mask.target)}_{mask.overlay_id}.nii.gz"
        save_nifti(mask.label_map, mask.geometry, folder / "masks" / name)
        written.append(f"masks/{name}")
    return written


def _box_rows(
    source: str, overlays: list[Overlay], phrases: dict[str, str]
) -> list[dict[str, Any]]:
    rows = []
    for overlay in overlays:
        if not isinstance(overlay, BoxOverlay):
            continue
        for box in overlay.boxes:
            corners = box.corners_patient(overlay.geometry)
            rows.append(
                {
                    "source": source,
                    "overlay_id": overlay.overlay_id,
                    "target": overlay.target,
                    "phrase": phrases.get(overlay.overlay_id, ""),
                    "score": box.score,
                    "voxel_min_zyx": list(box.minimum),
                    "voxel_max_zyx": list(box.maximum),
                    "center_patient_lps_mm": [
                        float(v) for v in overlay.geometry.index_to_patient(box.center)
                    ],
                    "corners_patient_lps_mm": [[float(v) for v in c] for c in corners],
                    "extent_mm_zyx": [float(v) for v in box.extent_mm(overlay.geometry)],
                }
            )
    return rows


def write_bundle(folder: Path, result: CaseResult, settings: dict[str, Any]) -> None:
    """Write the bundle of ``result`` into ``folder`` (emptied first); ``DONE`` comes last."""
    prepare_folder(folder)
    report = result.report
    result.report.save(folder / "report.json")
    report_overlays = list(report.overlays.values())
    answer_overlays = list(result.answers.overlays.values())
    masks = _write_masks(folder, "", report_overlays) + _write_masks(
        folder, "answer-", answer_overlays
    )
    answer_phrases: dict[str, str] = {}
    for turn in result.answers.turns:
        answer_phrases.update(_phrase_texts(turn.content))
    boxes = _box_rows("report", report_overlays, _phrase_texts(report.body))
    boxes += _box_rows("answers", answer_overlays, answer_phrases)
    (folder / "boxes.json").write_text(
        json.dumps(
            {
                "format": BOXES_FORMAT,
                "image": result.image_path,
                "geometry": result.geometry.to_dict(),
                "boxes": boxes,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    questions = [t.content.text for t in result.answers.turns if t.role.value == "user"]
    (folder / "answers.json").write_text(
        json.dumps(
            {
                "format": ANSWERS_FORMAT,
                "version": 1,
                "questions": questions,
                "conversation": result.answers.to_dict(),
            }
        ),
        encoding="utf-8",
    )
    model = {**result.model, "settings": settings, "masks": masks, "image": result.image_path}
    (folder / "model.json").write_text(json.dumps(model, indent=1, default=str), encoding="utf-8")
    write_atomically(
        folder / DONE_NAME, json.dumps({"case_id": result.case_id, "status": report.status.value})
    )


def write_error(folder: Path, case_id: str, image_path: str, message: str) -> None:
    """Record a failed case (no DONE, so a later run tries it again)."""
    prepare_folder(folder)
    write_atomically(folder / ERROR_NAME, f"case {case_id} ({image_path}) failed:\n{message}\n")
