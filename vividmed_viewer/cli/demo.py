"""``vividmed demo``: what ``make run`` runs — the default model on the shipped samples.

With a display the viewer opens on the sample phantom CT, with pydicom's RG1 chest
radiograph and the phantom's radiograph in the study browser, loads the default model and
generates the CT's report (the phrases become links as their regions are computed).

Without one (or with ``--headless``) it runs the batch inference of ``vividmed infer`` on
every sample into ``OUT/results`` (a re-run reuses finished bundles), prints each report
with the model that wrote it, and writes screenshots with the first grounded finding
highlighted. ``--ground-truth`` shows the phantom's stored ground-truth reports instead
of running the model.
"""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from vividmed_viewer.core import GroundedReport, default_taxonomy

logger = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "resources" / "samples" / "phantom_chest"


@dataclass(frozen=True)
class SampleImage:
    """One image ``make run`` shows, with its stored ground truth and the layouts to picture."""

    name: str
    image: Path
    ground_truth: Path | None
    layouts: tuple[str, ...]


def sample_images() -> list[SampleImage]:
    """The phantom CT, RG1 from pydicom-data when installed, and the phantom radiograph."""
    samples = [
        SampleImage(
            "phantom-ct", SAMPLES_DIR / "ct.nii.gz", SAMPLES_DIR / "report_ct.json", ("mpr", "3d")
        )
    ]
    rg1 = _rg1_path()
    if rg1 is not None:
        samples.append(SampleImage("rg1-chest-cr", rg1, None, ("2d",)))
    samples.append(
        SampleImage(
            "phantom-radiograph", SAMPLES_DIR / "drr.dcm", SAMPLES_DIR / "report_drr.json", ("2d",)
        )
    )
    return [s for s in samples if s.image.exists()]


def _rg1_path() -> Path | None:
    try:
        from pydicom.data import get_testdata_file

        found = get_testdata_file("RG1_UNCR.dcm")
    except (ImportError, ValueError, OSError) as error:
        logger.warning("pydicom-data's RG1 chest radiograph is not available: %s", error)
        return None
    return Path(str(found)) if found else None


def has_display() -> bool:
    """True when a window can be shown (X11 or Wayland)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``vividmed demo``."""
    from vividmed_viewer.inference.inference_settings import DEFAULT_MODEL

    parser.add_argument(
        "--headless", action="store_true", help="write screenshots even when a display exists"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("demo-output"), help="folder for headless output"
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"checkpoint folder or model name (default: the shipped '{DEFAULT_MODEL}' model)",
    )
    parser.add_argument(
        "--ground-truth",
        action="store_true",
        help="show the phantoms' ground-truth reports instead of running the model",
    )
    parser.add_argument("--max-new-tokens", type=int, default=256, help="report length limit")


def run(args: argparse.Namespace) -> int:
    """Open the viewer on the samples, or run the model and picture them without a display."""
    samples = sample_images()
    if not samples:
        print(f"vividmed demo: error: no sample images found under {SAMPLES_DIR}")
        return 2
    if has_display() and not args.headless:
        return _run_viewer(samples, args)
    out = Path(args.out)
    if args.ground_truth:
        reports = {s.name: s.ground_truth for s in samples}
        return _picture_samples(samples, reports, out)
    inferred = _infer_samples(samples, out / "results", args)
    if inferred is None:
        return 1
    pictured = _picture_samples(samples, inferred, out)
    return pictured or (1 if None in inferred.values() else 0)


def _run_viewer(samples: list[SampleImage], args: argparse.Namespace) -> int:
    from vividmed_viewer.ui.app import main as viewer_main

    argv = [str(s.image) for s in samples]
    if args.ground_truth:
        argv += ["--results", str(SAMPLES_DIR)]
    else:
        argv.append("--generate")
    print("Opening the viewer on:", *(f"  {s.name}: {s.image}" for s in samples), sep="\n")
    if not args.ground_truth:
        print("The default model loads and writes the first image's report (Ctrl+G for others).")
    return viewer_main(argv)


def _infer_samples(
    samples: list[SampleImage], results: Path, args: argparse.Namespace
) -> dict[str, Path | None] | None:
    """Run the batch inference on the samples; each sample's report.json (None if it failed)."""
    from vividmed_viewer.inference.batch_runner import BatchOptions, run_batch
    from vividmed_viewer.inference.bundle_writer import is_complete
    from vividmed_viewer.inference.cases import Case
    from vividmed_viewer.inference.inference_settings import InferenceSettings
    from vividmed_viewer.inference.jobs import load_pipeline

    cases = [Case(s.name, s.image) for s in samples]
    options = BatchOptions(
        out=results, settings=InferenceSettings(max_new_tokens=args.max_new_tokens)
    )
    print(f"Running the model '{args.model}' on {len(cases)} sample image(s) into {results}")
    summary = run_batch(cases, options, lambda: load_pipeline(args.model), show_progress=False)
    reports: dict[str, Path | None] = {}
    for outcome in summary.outcomes:
        folder = results / outcome.case_id
        if outcome.status == "failed":
            print(f"  {outcome.case_id}: FAILED: {outcome.error} (details: {folder})")
        reports[outcome.case_id] = folder / "report.json" if is_complete(folder) else None
    if not any(reports.values()):
        print("vividmed demo: error: the model wrote no report; see the messages above")
        return None
    return reports


def _picture_samples(samples: list[SampleImage], reports: dict[str, Path | None], out: Path) -> int:
    from vividmed_viewer.cli import screenshot

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    failures = 0
    for sample in samples:
        report_path = reports.get(sample.name)
        highlight = _print_report(sample, report_path)
        for layout in sample.layouts:
            target = out / f"{sample.name}-{layout}.png"
            argv = [str(sample.image), "--layout", layout, "--out", str(target)]
            if report_path is not None:
                argv += ["--report", str(report_path)]
            if highlight:
                argv += ["--highlight", highlight]
            parser = argparse.ArgumentParser(prog="vividmed screenshot")
            screenshot.add_arguments(parser)
            if screenshot.run(parser.parse_args(argv)) == 0:
                written.append(target)
            else:
                failures += 1
    bundles = sorted(
        {p.parent for p in reports.values() if p is not None and p.parent != SAMPLES_DIR}
    )
    if bundles:
        print("\nResult bundles:", *(f"  {folder}" for folder in bundles), sep="\n")
    print("\nScreenshots:", *(f"  {path}" for path in written), sep="\n")
    return 1 if failures else 0


def _print_report(sample: SampleImage, report_path: Path | None) -> str | None:
    """Print the sample's report and where it came from; return its first grounded phrase."""
    print(f"\n=== {sample.name}: {sample.image}")
    if report_path is None:
        print("(no report for this image)")
        return None
    report = GroundedReport.load(report_path)
    print(f"Report source: {report.provenance.describe()}")
    print(report.text)
    phrase = first_finding_phrase(report)
    if phrase:
        print(f"(highlighted in the screenshots: '{phrase}')")
    return phrase


def first_finding_phrase(report: GroundedReport) -> str | None:
    """The text of the first grounded abnormality (else the first grounded phrase)."""
    phrases = [p for p in report.body.phrases if p.overlay_ids]
    if not phrases:
        return None
    taxonomy = default_taxonomy()
    findings = [p for p in phrases if p.target in taxonomy and taxonomy[p.target].wants_boxes]
    return report.body.phrase_text((findings or phrases)[0])
