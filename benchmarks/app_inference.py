"""Report generation in the app: Generate → first text, first phrase, full report; GUI stalls.

Runs the real main window (under Xvfb: ``QT_QPA_PLATFORM=xcb xvfb-run -a python
benchmarks/app_inference.py``) on the sample phantom CT and radiograph with the ``tiny``
and ``demo`` configs (``demo`` is the shipped trained model when it is installed). An
untrained model's decoding is scripted (``inference.forcing``: every forward pass and
localization is real; only the greedy pick follows a fixed grounded text) so it still
writes phrases; a trained one writes freely (``--mode`` overrides). Baseline in the same
run: the same report through ``pipeline.generate_report`` with no GUI. A 10 ms QTimer
measures the longest gap of the event loop while the model runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT = [
    "The heart is normal in size. The", "<p>", " left lung", "</p>", " is clear. A", "<p>",
    " lung nodule", "</p>", " of 8 mm lies in the", "<p>", " right lung", "</p>",
    ". No pleural effusion. The mediastinum is unremarkable and the bones are intact.", "</s>",
]  # fmt: skip


@dataclass
class GuiRun:
    """Seconds from Generate to each event, and the event loop's longest gap."""

    first_text_s: float = float("nan")
    first_phrase_s: float = float("nan")
    total_s: float = float("nan")
    longest_stall_ms: float = 0.0
    ticks: list[float] = field(default_factory=list)


def forcing(pipeline: Any, scripted_decoding: bool) -> list[Any]:
    from vividmed_viewer.inference.forcing import scripted

    return [scripted(pipeline, SCRIPT)] if scripted_decoding else []


def measure_gui(window: Any, qtbot_wait: Any, pipeline: Any, scripted_decoding: bool) -> GuiRun:
    from PySide6.QtCore import QTimer

    controller = window.model_features.controller
    controller.logits_processors = forcing(pipeline, scripted_decoding)
    run = GuiRun()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: run.ticks.append(time.perf_counter()))
    done: list[bool] = []

    def on_text(_report: Any) -> None:
        if run.first_text_s != run.first_text_s and window.report and window.report.text:
            run.first_text_s = time.perf_counter() - started

    def on_phrase(_report: Any) -> None:
        if run.first_phrase_s != run.first_phrase_s:
            run.first_phrase_s = time.perf_counter() - started

    def on_end(_report: Any) -> None:
        run.total_s = time.perf_counter() - started
        done.append(True)

    controller.worker.text_delta.connect(on_text)
    controller.report_regions_changed.connect(on_phrase)
    controller.report_ended.connect(on_end)
    timer.start()
    started = time.perf_counter()
    run.ticks.append(started)
    window.action_registry.qaction("generate_report").trigger()
    qtbot_wait(lambda: bool(done))
    timer.stop()
    for signal, slot in (
        (controller.worker.text_delta, on_text),
        (controller.report_regions_changed, on_phrase),
        (controller.report_ended, on_end),
    ):
        signal.disconnect(slot)
    gaps = [b - a for a, b in zip(run.ticks, run.ticks[1:], strict=False)]
    run.longest_stall_ms = 1000 * max(gaps, default=0.0)
    return run


def measure_direct(pipeline: Any, volume: Any, scripted_decoding: bool) -> tuple[float, float]:
    """(first phrase, total) seconds through ``pipeline.generate_report`` without the GUI."""
    first: list[float] = []
    started = time.perf_counter()
    pipeline.generate_report(
        volume,
        max_new_tokens=256,
        on_phrase=lambda _p: first.append(time.perf_counter() - started),
        logits_processors=forcing(pipeline, scripted_decoding),
    )
    return (first[0] if first else float("nan")), time.perf_counter() - started


def wait_until(app: Any, condition: Any, timeout_s: float = 600.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the model did not finish in time")
        app.processEvents()
        time.sleep(0.001)


SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples" / "phantom_chest"
IMAGES = {"ct": SAMPLES / "ct.nii.gz", "radiograph": SAMPLES / "drr.dcm"}


def bench_config(app: Any, name: str, image: str, repeats: int, mode: str) -> dict[str, Any]:
    from model.pipeline import VividMedPipeline
    from vividmed_viewer.inference.inference_settings import InferenceSettings
    from vividmed_viewer.io import load_image
    from vividmed_viewer.ui.main_window import MainWindow

    path = IMAGES[image]
    volume = load_image(path)
    loaded = time.perf_counter()
    pipeline = VividMedPipeline.from_pretrained(name, device="cpu")
    load_s = time.perf_counter() - loaded
    scripted_decoding = mode == "scripted" or (mode == "auto" and not pipeline.trained)
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    controller = window.model_features.controller
    controller.set_settings(InferenceSettings(device="cpu", max_new_tokens=256))
    controller.use_pipeline(pipeline, name)
    window.show_volume(volume, str(path))
    app.processEvents()
    wait = lambda condition: wait_until(app, condition)  # noqa: E731
    measure_direct(pipeline, volume, scripted_decoding)  # warm-up, both ways; then alternate
    measure_gui(window, wait, pipeline, scripted_decoding)
    direct, gui = [], []
    for _ in range(repeats):
        direct.append(measure_direct(pipeline, volume, scripted_decoding))
        gui.append(measure_gui(window, wait, pipeline, scripted_decoding))
    window.close()
    return {
        "config": name,
        "image": image,
        "decoding": "scripted" if scripted_decoding else "free",
        "trained": pipeline.trained,
        "load_s": load_s,
        "direct_phrase_s": statistics.median(d[0] for d in direct),
        "direct_total_s": statistics.median(d[1] for d in direct),
        "first_text_s": statistics.median(r.first_text_s for r in gui),
        "first_phrase_s": statistics.median(r.first_phrase_s for r in gui),
        "total_s": statistics.median(r.total_s for r in gui),
        "stall_ms": max(r.longest_stall_ms for r in gui),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["tiny", "demo"])
    parser.add_argument("--images", nargs="+", choices=sorted(IMAGES), default=["radiograph", "ct"])
    parser.add_argument("--mode", choices=("auto", "scripted", "free"), default="auto")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.ERROR)
    import torch
    from PySide6.QtWidgets import QApplication

    from vividmed_viewer.ui.settings import app_settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as scratch:
        from PySide6.QtCore import QSettings

        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, scratch)
        app_settings().clear()
        rows = [
            bench_config(app, name, image, args.repeats, args.mode)
            for name in args.configs
            for image in args.images
        ]
    print(f"Report generation in the app (CPU, {torch.get_num_threads()} threads, phantom samples)")
    header = (
        f"{'config':<6} {'image':<10} {'decoding':<8} {'load s':>7} {'direct: phrase / total s':>25} "
        f"{'GUI: text / phrase / total s':>29} {'GUI overhead':>12} {'longest stall ms':>16}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        overhead = row["total_s"] / row["direct_total_s"] - 1
        print(
            f"{row['config']:<6} {row['image']:<10} {row['decoding']:<8} {row['load_s']:>7.1f} "
            f"{row['direct_phrase_s']:>12.2f} / {row['direct_total_s']:<10.2f} "
            f"{row['first_text_s']:>10.2f} / {row['first_phrase_s']:.2f} / {row['total_s']:<8.2f} "
            f"{overhead:>+11.0%} {row['stall_ms']:>16.0f}"
        )
    print("Baseline: 'direct' is pipeline.generate_report with no GUI, same decoding.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
