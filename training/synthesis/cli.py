"""``vividmed synthesize``: write synthetic phantom cases of one split to a folder."""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from training.synthesis.case_writer import write_case
from training.synthesis.phantom import generate_phantom
from training.synthesis.splits import SPLIT_SEEDS, seeds_for

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="folder to write cases into")
    parser.add_argument("--split", choices=sorted(SPLIT_SEEDS), default="train")
    parser.add_argument("--count", type=int, default=1, help="number of cases")
    parser.add_argument("--start", type=int, default=0, help="offset into the split's seeds")
    parser.add_argument(
        "--format", choices=("dicom", "nifti"), default="dicom", dest="image_format"
    )
    parser.add_argument("--no-masks", action="store_true", help="skip the NIfTI mask files")


def run(args: argparse.Namespace) -> int:
    seeds = seeds_for(args.split, args.count, args.start)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for seed in seeds:
        began = time.perf_counter()
        case = generate_phantom(seed)
        entry = write_case(case, out / f"case_{seed:07d}", args.image_format, not args.no_masks)
        entry["folder"] = f"case_{seed:07d}"
        entries.append(entry)
        print(
            f"case_{seed:07d}: {case.ct.describe()}, abnormalities: "
            f"{', '.join(entry['abnormalities']) or 'none'} ({time.perf_counter() - began:.1f} s)"
        )
    manifest = {
        "format": "vividmed.phantom_manifest",
        "version": 1,
        "split": args.split,
        "image_format": args.image_format,
        "cases": entries,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    print(f"wrote {len(entries)} case(s) and manifest.json to {out}")
    return 0
