"""Write a phantom case to disk: DICOM CT series + DICOM CR (or NIfTI), masks, reports."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Literal

from training.synthesis.phantom import PhantomCase, to_grounded_report
from vividmed_viewer.io import save_nifti, write_dicom_radiograph, write_dicom_series

logger = logging.getLogger(__name__)
ImageFormat = Literal["dicom", "nifti"]


def _mask_file_name(target: str) -> str:
    return target.replace(" ", "_") + ".nii.gz"


def write_case(
    case: PhantomCase, folder: str | Path, image_format: ImageFormat = "dicom", masks: bool = True
) -> dict[str, Any]:
    """Write one case under ``folder`` and return its manifest entry (paths relative to it)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"phantom {case.seed}"
    if image_format == "dicom":
        write_dicom_series(
            case.ct,
            folder / "ct",
            series_description="synthetic chest CT",
            patient_name=name,
            patient_id=f"PHANTOM{case.seed}",
        )
        write_dicom_radiograph(
            case.drr,
            folder / "drr.dcm",
            series_description="synthetic PA chest radiograph",
            patient_name=name,
            patient_id=f"PHANTOM{case.seed}",
            patient_geometry=True,
        )
        images = {"ct": "ct", "drr": "drr.dcm"}
    else:
        save_nifti(case.ct.voxels, case.ct.geometry, folder / "ct.nii.gz")
        save_nifti(case.drr.voxels, case.drr.geometry, folder / "drr.nii.gz")
        images = {"ct": "ct.nii.gz", "drr": "drr.nii.gz"}
    mask_paths: dict[str, dict[str, str]] = {"ct": {}, "drr": {}}
    if masks:
        for kind in ("ct", "drr"):
            geometry = case.image(kind).geometry
            for target, mask in case.masks(kind).items():
                relative = f"masks/{kind}/{_mask_file_name(target)}"
                save_nifti(mask, geometry, folder / relative)
                mask_paths[kind][target] = relative
    reports = {}
    for kind in ("ct", "drr"):
        relative = f"report_{kind}.json"
        to_grounded_report(case, kind).save(folder / relative)
        reports[kind] = relative
    labels = {
        "seed": case.seed,
        "findings": case.findings,
        "tags": {"ct": case.tags, "drr": case.drr_tags},
        "reports": {"ct": case.report, "drr": case.drr_report},
        "boxes": {
            kind: {t: [b.to_dict() for b in boxes] for t, boxes in case.boxes(kind).items()}
            for kind in ("ct", "drr")
        },
    }
    (folder / "labels.json").write_text(json.dumps(labels, indent=1), encoding="utf-8")
    logger.info("wrote phantom %d to %s", case.seed, folder)
    return {
        "seed": case.seed,
        "images": images,
        "masks": mask_paths,
        "reports": reports,
        "labels": "labels.json",
        "abnormalities": sorted(case.ct_boxes),
    }
