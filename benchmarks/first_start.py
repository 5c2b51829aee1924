"""First start: seconds from launching the viewer to its main window on screen, and to the first image.

Usage: ``python benchmarks/first_start.py [--runs 6] [--bundle dist/VividMed/VividMed]
[--sample PATH | --no-sample]`` under a display (``xvfb-run -a -s "-screen 0 1600x1000x24"``
where there is none).

Launches the viewer as a user does — the venv's ``vividmed-viewer`` script, or a bundled
executable with ``--bundle`` — in a fresh subprocess per run, with
``VIVIDMED_STARTUP_MARKER=FILE``: the app appends ``window_shown`` (main window mapped,
exposed and painted) and ``first_image`` (a slice view rendered the image given on the
command line) to FILE, each with the time since its process started and the epoch time.
"launch → window" is measured from just before the launch (so a bundle's unpacking counts);
"process age" is what the app itself reports. Run 1 is the cold start (first in this run;
the OS file cache may still hold files from earlier runs), the others are warm. Settings,
cache and logs go to a temporary XDG folder, so the user's recent files stay as they are.

Baselines in the same run, interleaved with the viewer's runs: ``python -c pass`` (the
interpreter alone) and a bare PySide6 ``QMainWindow`` shown the same way.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vividmed_viewer.ui.startup import MARKER_ENVIRONMENT, read_marker_lines

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLE = REPO / "resources" / "samples" / "phantom_chest" / "ct.nii.gz"

BARE_WINDOW = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Expose and watched.isExposed():
            QTimer.singleShot(0, mark)
        return False

def mark():
    with open(os.environ["VIVIDMED_STARTUP_MARKER"], "a") as handle:
        handle.write(f"window_shown 0 {time.time():.4f}\\n")

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1400, 900)
window.show()
watch = Watch()
window.windowHandle().installEventFilter(watch)
app.exec()
"""


def viewer_command(bundle: Path | None) -> list[str]:
    """How a user starts the viewer: the bundle's executable, or the venv's console script."""
    if bundle is not None:
        return [str(bundle)]
    script = Path(sys.executable).with_name("vividmed-viewer")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "vividmed_viewer.ui.app"]


def launch(
    command: list[str], wanted: tuple[str, ...], env: dict[str, str], timeout: float
) -> dict[str, float]:
    """Start ``command``, wait for the milestones ``wanted``, stop it; seconds from launch."""
    with tempfile.TemporaryDirectory(prefix="first-start-") as folder:
        marker = Path(folder) / "marker.txt"
        started = time.time()
        process = subprocess.Popen(
            command,
            env={**env, MARKER_ENVIRONMENT: str(marker)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            while True:
                marks = read_marker_lines(marker)
                if all(name in marks for name in wanted):
                    break
                if process.poll() is not None:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise SystemExit(f"{command[0]} exited ({process.returncode}):\n{error}")
                if time.time() - started > timeout:
                    raise SystemExit(f"{command[0]}: no {wanted} after {timeout:.0f} s")
                time.sleep(0.01)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    result = {name: epoch - started for name, (_age, epoch) in marks.items()}
    result.update({f"{name}_age": age for name, (age, _epoch) in marks.items()})
    return result


def interpreter_start(env: dict[str, str]) -> float:
    started = time.time()
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
    return time.time() - started


def summary(values: list[float]) -> str:
    """Cold (run 1) and warm (median, min–max of the others) of one column."""
    if not values:
        return "—"
    warm = values[1:]
    if not warm:
        return f"{values[0]:.2f}"
    return f"{values[0]:.2f} | {statistics.median(warm):.2f} ({min(warm):.2f}–{max(warm):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6, help="launches per side (first is cold)")
    parser.add_argument("--bundle", type=Path, help="a bundled vividmed-viewer executable")
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE, help="image to open")
    parser.add_argument("--no-sample", action="store_true", help="start with no image")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per launch")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise SystemExit('no display: run under xvfb-run -a -s "-screen 0 1600x1000x24"')
    sample = None if args.no_sample else args.sample
    command = viewer_command(args.bundle)
    home = Path(tempfile.mkdtemp(prefix="first-start-home-"))
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[name] = str(home / name.lower())
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    columns: dict[str, list[float]] = {
        "python -c pass": [],
        "bare Qt window": [],
        "viewer, no image: launch → window": [],
        "viewer, no image: process age at window": [],
    }
    if sample is not None:
        columns["viewer + image: launch → window"] = []
        columns["viewer + image: launch → first image"] = []
    bare = [sys.executable, "-c", BARE_WINDOW]
    for _ in range(args.runs):
        columns["python -c pass"].append(interpreter_start(env))
        columns["bare Qt window"].append(
            launch(bare, ("window_shown",), env, args.timeout)["window_shown"]
        )
        empty = launch(command, ("window_shown",), env, args.timeout)
        columns["viewer, no image: launch → window"].append(empty["window_shown"])
        columns["viewer, no image: process age at window"].append(empty["window_shown_age"])
        if sample is not None:
            shown = launch(
                [*command, str(sample)], ("window_shown", "first_image"), env, args.timeout
            )
            columns["viewer + image: launch → window"].append(shown["window_shown"])
            columns["viewer + image: launch → first image"].append(shown["first_image"])
    print(
        f"First start of {' '.join(command)}: {args.runs} launches per row, interleaved; "
        f"seconds; cold = run 1, warm = median (min–max) of runs 2–{args.runs}"
    )
    print(f"{'measure':<40}{'cold | warm median (min–max)':>34}")
    for label, values in columns.items():
        print(f"{label:<40}{summary(values):>34}")
    print(
        "window: main window mapped, exposed and painted; first image: a slice view rendered "
        f"{sample.name if sample else '(none)'}; process age: as the app reports it"
    )


if __name__ == "__main__":
    main()
