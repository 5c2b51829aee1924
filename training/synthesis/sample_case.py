"""The small phantom case shipped in resources/samples/ (regenerate with ``python -m``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from training.synthesis.phantom import PhantomCase, PhantomConfig, generate_phantom
from training.synthesis.phantom.grounded import to_grounded_report
from vividmed_viewer.io import save_nifti, write_dicom_radiograph

SAMPLE_SEED = 1_000_013  # a validation seed: pleural effusion, two nodules, cardiomegaly
SAMPLE_CONFIG = PhantomConfig(
    in_plane=144,
    slices=(80, 80),
    slice_spacings=(3.5,),
    pixel_spacing_limits=(0.7, 2.6),
    vessels_per_lung=10,
)
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "resources" / "samples" / "phantom_chest"


def sample_case() -> PhantomCase:
    """The shipped sample phantom (80 slices of 144², about 2.4 mm pixels)."""
    return generate_phantom(SAMPLE_SEED, SAMPLE_CONFIG)


def write_sample_case(folder: str | Path = SAMPLES_DIR) -> list[Path]:
    """Write ct.nii.gz, drr.dcm, the two ground-truth grounded reports and labels.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    case = sample_case()
    paths = [
        save_nifti(case.ct.voxels, case.ct.geometry, folder / "ct.nii.gz"),
        write_dicom_radiograph(
            case.drr,
            folder / "drr.dcm",
            series_description="synthetic PA chest radiograph",
            patient_name=f"phantom {case.seed}",
            patient_id=f"PHANTOM{case.seed}",
            patient_geometry=True,
        ),
    ]
    for kind in ("ct", "drr"):
        path = folder / f"report_{kind}.json"
        to_grounded_report(case, kind).save(path)
        paths.append(path)
    labels = {
        "seed": case.seed,
        "findings": case.findings,
        "reports": {"ct": case.report, "drr": case.drr_report},
        "tags": {"ct": case.tags, "drr": case.drr_tags},
    }
    paths.append(folder / "labels.json")
    paths[-1].write_text(json.dumps(labels, indent=1), encoding="utf-8")
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR)
    for written in write_sample_case(parser.parse_args().out):
        print(written)
