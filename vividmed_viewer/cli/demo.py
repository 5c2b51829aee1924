"""``vividmed demo``: what ``make run`` runs — the sample studies in the viewer, or headless.

With a display the viewer opens on the sample phantom CT (its grounded report shown), with the
phantom radiograph and pydicom's RG1 chest radiograph in the study browser. Without one (or
with ``--headless``) it writes screenshots of every sample with the first grounded phrase
highlighted, prints each report with where it came from, and the paths it wrote.
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
    """One image ``make run`` shows, with its stored report and the layouts to picture."""

    name: str
    image: Path
    report: Path | None
    layouts: tuple[str, ...]


def sample_images() -> list[SampleImage]:
    """The shipped phantom CT and radiograph, and RG1 from pydicom-data when installed."""
    samples = [
        SampleImage(
            "phantom-ct", SAMPLES_DIR / "ct.nii.gz", SAMPLES_DIR / "report_ct.json", ("mpr", "3d")
        ),
        SampleImage(
            "phantom-radiograph", SAMPLES_DIR / "drr.dcm", SAMPLES_DIR / "report_drr.json", ("2d",)
        ),
    ]
    rg1 = _rg1_path()
    if rg1 is not None:
        samples.append(SampleImage("rg1-chest-cr", rg1, None, ("2d",)))
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
    parser.add_argument(
        "--headless", action="store_true", help="write screenshots even when a display exists"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("demo-output"), help="folder for headless output"
    )


def run(args: argparse.Namespace) -> int:
    """Open the viewer on the samples, or picture them without a display."""
    samples = sample_images()
    if not samples:
        print(f"vividmed demo: error: no sample images found under {SAMPLES_DIR}")
        return 2
    if has_display() and not args.headless:
        return _run_viewer(samples)
    return _run_headless(samples, Path(args.out))


def _run_viewer(samples: list[SampleImage]) -> int:
    from vividmed_viewer.ui.app import main as viewer_main

    argv = [str(s.image) for s in samples]
    first_report = samples[0].report
    if first_report is not None:
        argv += ["--report", str(first_report)]
    argv += ["--results", str(SAMPLES_DIR)]
    print("Opening the viewer on:", *(f"  {s.name}: {s.image}" for s in samples), sep="\n")
    return viewer_main(argv)


def _run_headless(samples: list[SampleImage], out: Path) -> int:
    from vividmed_viewer.cli import screenshot

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    failures = 0
    for sample in samples:
        highlight = _print_report(sample)
        for layout in sample.layouts:
            target = out / f"{sample.name}-{layout}.png"
            argv = [str(sample.image), "--layout", layout, "--out", str(target)]
            if sample.report is not None:
                argv += ["--report", str(sample.report)]
            if highlight:
                argv += ["--highlight", highlight]
            parser = argparse.ArgumentParser(prog="vividmed screenshot")
            screenshot.add_arguments(parser)
            if screenshot.run(parser.parse_args(argv)) == 0:
                written.append(target)
            else:
                failures += 1
    print("\nScreenshots:", *(f"  {path}" for path in written), sep="\n")
    return 1 if failures else 0


def _print_report(sample: SampleImage) -> str | None:
    """Print the sample's report and where it came from; return its first grounded phrase."""
    print(f"\n=== {sample.name}: {sample.image}")
    if sample.report is None:
        print("(no stored report: image only)")
        return None
    report = GroundedReport.load(sample.report)
    print(f"Report source: {report.provenance.describe()}")
    print(report.text)
    return first_finding_phrase(report)


def first_finding_phrase(report: GroundedReport) -> str | None:
    """The text of the first grounded abnormality (else the first grounded phrase)."""
    phrases = [p for p in report.body.phrases if p.overlay_ids]
    if not phrases:
        return None
    taxonomy = default_taxonomy()
    findings = [p for p in phrases if p.target in taxonomy and taxonomy[p.target].wants_boxes]
    return report.body.phrase_text((findings or phrases)[0])
