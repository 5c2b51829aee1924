"""``vividmed export RESULT_BUNDLE --out DIR``: a result bundle as DICOM SEG + SR (TID 1500).

The bundle (``vividmed infer``) names its image in ``report.json``; ``--image`` overrides
that. The SEG (the report's masks) and the SR (its text, one measurement group per grounded
phrase) reference the image's own DICOM series, or a DICOM copy of a NIfTI/PNG image
written beside them (``DIR/image``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vividmed_viewer.core.errors import VividMedError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle", type=Path, help="a result bundle folder (or a report JSON)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the DICOM into")
    parser.add_argument("--image", type=Path, help="the image (default: the one the report names)")


def run(args: argparse.Namespace) -> int:
    from vividmed_viewer.core.report import GroundedReport
    from vividmed_viewer.io import load_image
    from vividmed_viewer.io.dicom_export import export_report_dicom

    report_path = args.bundle / "report.json" if args.bundle.is_dir() else args.bundle
    if not report_path.is_file():
        raise VividMedError(f"{args.bundle}: no report.json (not a result bundle)")
    report = GroundedReport.load(report_path)
    image = args.image or (Path(report.image_reference) if report.image_reference else None)
    if image is None or not image.exists():
        raise VividMedError(
            f"{report_path}: the image it names ({report.image_reference or 'none'}) is not "
            "there; give it with --image"
        )
    export = export_report_dicom(load_image(image), report, args.out)
    for note in export.notes:
        print(note)
    print(f"DICOM SEG: {export.segmentation or '(no masks in the report)'}")
    print(f"DICOM SR: {export.structured_report}")
    return 0
