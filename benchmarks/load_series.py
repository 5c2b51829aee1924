"""Time and peak memory of loading a 512×512×N CT series: ours vs SimpleITK vs a pydicom loop.

Usage: ``python benchmarks/load_series.py [--slices 400] [--cache /tmp/vividmed-bench]``.
The series are written once per codec into the cache folder and reused. Each loader runs in
a fresh subprocess so its peak RSS (C allocations included) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CODECS = {
    "uncompressed": None,
    "JPEG-LS lossless": "1.2.840.10008.1.2.4.80",
    "JPEG 2000 lossless": "1.2.840.10008.1.2.4.90",
}
LOADERS = ("vividmed load_series", "SimpleITK ImageSeriesReader", "pydicom loop")


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


class TreeMemorySampler:
    """Peak RSS of this process plus all its descendants (worker processes), sampled."""

    def __init__(self, interval: float = 0.01) -> None:
        import threading

        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak_children_mb = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for child in self._process.children(recursive=True):
                try:
                    total += (
                        child.memory_full_info().uss
                    )  # unique pages: forked workers share the rest
                except psutil.Error:
                    continue
            self.peak_children_mb = max(self.peak_children_mb, total / 2**20)
            self._stop.wait(self._interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_children_mb


def phantom_ct(slices: int) -> np.ndarray:
    """A body-like int16 CT: an ellipse of soft tissue with bone, lung and noise."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:512, 0:512]
    body = ((x - 256) / 220.0) ** 2 + ((y - 256) / 170.0) ** 2 <= 1
    lungs = (((x - 170) / 60.0) ** 2 + ((y - 240) / 90.0) ** 2 <= 1) | (
        ((x - 342) / 60.0) ** 2 + ((y - 240) / 90.0) ** 2 <= 1
    )
    spine = ((x - 256) / 25.0) ** 2 + ((y - 360) / 25.0) ** 2 <= 1
    base = np.full((512, 512), -1000, dtype=np.int16)
    base[body] = 40
    base[lungs] = -850
    base[spine] = 700
    volume = np.empty((slices, 512, 512), dtype=np.int16)
    for z in range(slices):
        volume[z] = base + rng.normal(0, 12, (512, 512)).astype(np.int16) * body
    return volume


def ensure_series(cache: Path, slices: int, codec: str) -> Path:
    """Write the series once (encoding is slow) and reuse it."""
    from vividmed_viewer.core import ImageVolume
    from vividmed_viewer.io import write_dicom_series

    folder = cache / f"{slices}-{codec.replace(' ', '_')}"
    done = folder / ".complete"
    if done.exists():
        return folder
    started = time.perf_counter()
    volume = ImageVolume(phantom_ct(slices), spacing=(1.0, 0.7, 0.7), modality="CT")
    write_dicom_series(
        volume, folder, transfer_syntax=CODECS[codec], file_name_pattern="{sop_uid}.dcm"
    )
    done.write_text("ok")
    print(f"wrote {slices} slices ({codec}) in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


def _run_loader(loader: str, folder: Path) -> dict[str, object]:
    """Load in this process (the child) and report time, shape and checksum."""
    files = sorted(p for p in folder.iterdir() if p.suffix == ".dcm")
    sampler = TreeMemorySampler()
    if loader == "vividmed load_series":
        from vividmed_viewer.io import load_series, scan_path

        base = _current_rss_mb()
        started = time.perf_counter()
        series = scan_path(folder)[0].image_series[0]
        voxels = load_series(series).voxels
    elif loader == "SimpleITK ImageSeriesReader":
        import SimpleITK

        base = _current_rss_mb()
        started = time.perf_counter()
        reader = SimpleITK.ImageSeriesReader()
        reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(folder)))
        image = reader.Execute()  # keep a reference: the view below borrows its buffer
        voxels = SimpleITK.GetArrayViewFromImage(image)
    else:
        import pydicom

        base = _current_rss_mb()
        started = time.perf_counter()
        datasets = [pydicom.dcmread(f) for f in files]
        datasets.sort(key=lambda d: float(d.ImagePositionPatient[2]))
        voxels = np.stack(
            [
                (d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept)).astype(np.int16)
                for d in datasets
            ]
        )
    seconds = time.perf_counter() - started
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_peak = sampler.stop()
    return {
        "seconds": seconds,
        "peak_mb": own_peak,
        "base_mb": base,
        "children_peak_mb": children_peak,
        "shape": list(voxels.shape),
        "sum": int(np.asarray(voxels).sum(dtype=np.int64)),
    }


def measure(loader: str, folder: Path) -> dict[str, object]:
    """Run one loader in a fresh interpreter and parse its JSON line."""
    command = [sys.executable, __file__, "--child", loader, str(folder)]
    for attempt in range(3):
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        if finished.returncode == 0:
            return dict(json.loads(finished.stdout.strip().splitlines()[-1]))
        print(f"  {loader} failed (exit {finished.returncode}), attempt {attempt + 1}", flush=True)
    raise RuntimeError(f"{loader} failed 3 times on {folder}: {finished.stderr[-500:]}")


def _best_of(loader: str, folder: Path, repeats: int) -> dict[str, float]:
    """Fastest time and largest memory over ``repeats`` fresh runs (other jobs share the CPU)."""
    runs = [measure(loader, folder) for _ in range(repeats)]
    return {
        "seconds": min(float(r["seconds"]) for r in runs),  # type: ignore[arg-type]
        "added_mb": max(float(r["peak_mb"]) - float(r["base_mb"]) for r in runs),  # type: ignore[arg-type]
        "workers_mb": max(float(r["children_peak_mb"]) for r in runs),  # type: ignore[arg-type]
        "sum": float(runs[0]["sum"]),  # type: ignore[arg-type]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=400)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/vividmed-bench"))
    parser.add_argument("--codecs", default=",".join(CODECS), help="comma-separated subset")
    parser.add_argument("--repeats", type=int, default=3, help="runs per loader (best time kept)")
    parser.add_argument("--child", nargs=2, metavar=("LOADER", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_run_loader(args.child[0], Path(args.child[1]))))
        return 0
    volume_mb = args.slices * 512 * 512 * 2 / 2**20
    print(f"512×512×{args.slices} int16 CT = {volume_mb:.0f} MiB, best of {args.repeats} runs")
    rows = []
    for codec in args.codecs.split(","):
        folder = ensure_series(args.cache, args.slices, codec)
        reference = None
        for loader in LOADERS:
            result = _best_of(loader, folder, args.repeats)
            reference = result["sum"] if reference is None else reference
            same = "yes" if result["sum"] == reference else "NO"
            rows.append(
                f"| {codec:<18} | {loader:<27} | {result['seconds']:7.2f} | "
                f"{result['added_mb']:8.0f} | {result['added_mb'] / volume_mb:5.2f} | "
                f"{result['workers_mb']:11.0f} | {same:^4} |"
            )
            print(rows[-1], flush=True)
    print()
    print(
        "| codec              | loader                      | seconds | peak+MiB | ×vol  "
        "| workers MiB | same |"
    )
    print(
        "|--------------------|-----------------------------|---------|----------|-------"
        "|-------------|------|"
    )
    print("\n".join(rows))
    print(
        "seconds include scanning the folder's headers; peak+MiB is the loader's peak RSS above "
        "its RSS after imports; workers MiB is the peak unique memory (USS) of decode worker processes."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
