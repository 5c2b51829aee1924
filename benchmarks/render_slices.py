"""Slice view speed: time to first image, time per slice step and peak memory (2×2 layout).

Usage: ``python benchmarks/render_slices.py [--slices 400] [--size 512] [--window 1024] [--steps 30]``.
Generates an int16 CT (size × size × slices) and two uint8 masks in memory; renders the
axial/coronal/sagittal SliceScenes offscreen in the 2×2 layout (3D pane empty: the 3D view
has its own benchmark) and steps each view through ``--steps`` slices (render + one mask
overlay + one box). Baseline in the same run: a plain vtkImageViewer2 (no overlays,
no annotations) on the same volume and window size. Each side runs in a fresh subprocess
so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

ORIENTATIONS = ("axial", "coronal", "sagittal")


def make_ct(slices: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Int16 CT-like volume (body ellipse, lungs, noise) and two uint8 label maps."""
    y, x = np.mgrid[:size, :size].astype(np.float32) / size
    body = ((x - 0.5) / 0.42) ** 2 + ((y - 0.5) / 0.3) ** 2 < 1
    right = ((x - 0.33) / 0.12) ** 2 + ((y - 0.48) / 0.2) ** 2 < 1
    left = ((x - 0.67) / 0.12) ** 2 + ((y - 0.48) / 0.2) ** 2 < 1
    plane = np.full((size, size), -1000, np.int16)
    plane[body] = 40
    plane[right | left] = -850
    noise = np.random.default_rng(0).normal(0, 15, (size, size)).astype(np.int16)
    volume = np.broadcast_to(plane + noise, (slices, size, size)).copy()
    mask_a = np.broadcast_to(right, (slices, size, size)).astype(np.uint8)
    mask_b = np.broadcast_to(left, (slices, size, size)).astype(np.uint8)
    return volume, mask_a, mask_b


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_ours(slices: int, size: int, window_size: int, steps: int) -> dict[str, float]:
    from vividmed_viewer.core import Box, BoxOverlay, ImageVolume, MaskOverlay, WindowLevel
    from vividmed_viewer.render.offscreen import OffscreenLayout
    from vividmed_viewer.render.slice_scene import SliceScene

    voxels, mask_a, mask_b = make_ct(slices, size)
    volume = ImageVolume(
        voxels, spacing=(1.0, 0.7, 0.7), modality="CT", window=WindowLevel(-600, 1500)
    )
    masks = [
        MaskOverlay("right lung", mask_a, volume.geometry, colour=(0, 200, 120)),
        MaskOverlay("left lung", mask_b, volume.geometry, colour=(40, 120, 255)),
    ]
    box = BoxOverlay("nodule", [Box((10, 200, 150), (slices - 10, 240, 190))], volume.geometry)
    rss_data = peak_rss_mb()
    start = time.perf_counter()
    scenes = [SliceScene(o) for o in ORIENTATIONS]
    for scene in scenes:
        scene.set_volume(volume)
        scene.set_overlays([*masks, box])
    layout = OffscreenLayout([s.renderer for s in scenes], "mpr", (window_size, window_size))
    for scene in scenes:
        scene.reset_camera()
    layout.render()
    result = {"first_image_s": time.perf_counter() - start}
    for scene in scenes:  # one mask overlay (plus the box) while stepping
        scene.set_overlay_style(masks[1].overlay_id, visible=False)
    for scene in scenes:
        timings = []
        for step in range(steps):
            tick = time.perf_counter()
            scene.set_slice(scene.slice_index + (1 if step % 2 == 0 else 2))
            layout.window.Render()
            timings.append(time.perf_counter() - tick)
        result[f"{scene.orientation}_step_ms"] = 1000.0 * float(np.median(timings))
    layout.close()
    # As in the app: a step re-renders only its own view's window (half the layout's width).
    view_size = window_size // 2
    for orientation in ORIENTATIONS:
        scene = SliceScene(orientation)
        scene.set_volume(volume)
        scene.set_overlays([masks[0]])
        view = OffscreenLayout([scene.renderer], "2d", (view_size, view_size))
        scene.reset_camera()
        view.render()
        timings, updates = [], []
        for step in range(steps):
            tick = time.perf_counter()
            scene.set_slice(scene.slice_index + (1 if step % 2 == 0 else 2))
            updated = time.perf_counter()
            view.window.Render()
            timings.append(time.perf_counter() - tick)
            updates.append(updated - tick)
        result[f"{orientation}_view_step_ms"] = 1000.0 * float(np.median(timings))
        result[f"{orientation}_view_update_ms"] = 1000.0 * float(np.median(updates))
        view.close()
    result["peak_rss_mb"] = peak_rss_mb()
    result["rendering_rss_mb"] = peak_rss_mb() - rss_data
    return result


def run_baseline(slices: int, size: int, window_size: int, steps: int) -> dict[str, float]:
    import vtk
    from vtkmodules.util import numpy_support

    voxels, _, _ = make_ct(slices, size)
    rss_data = peak_rss_mb()
    start = time.perf_counter()
    image = vtk.vtkImageData()
    image.SetDimensions(size, size, slices)
    image.SetSpacing(0.7, 0.7, 1.0)
    image.GetPointData().SetScalars(numpy_support.numpy_to_vtk(voxels.reshape(-1), deep=False))
    viewers = []
    window = vtk.vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetSize(window_size, window_size)
    viewports = ((0.0, 0.5, 0.5, 1.0), (0.5, 0.5, 1.0, 1.0), (0.0, 0.0, 0.5, 0.5))
    for orientation, viewport in zip((2, 1, 0), viewports, strict=True):
        viewer = vtk.vtkImageViewer2()
        viewer.SetInputData(image)
        viewer.SetRenderWindow(window)
        viewer.GetRenderer().SetViewport(*viewport)
        viewer.SetSliceOrientation(orientation)  # 2 = XY (axial), 1 = XZ, 0 = YZ
        viewer.SetColorWindow(1500)
        viewer.SetColorLevel(-600)
        viewer.SetSlice((viewer.GetSliceMin() + viewer.GetSliceMax()) // 2)
        viewers.append(viewer)
    window.Render()
    result = {"first_image_s": time.perf_counter() - start}
    for name, viewer in zip(ORIENTATIONS, viewers, strict=True):
        timings = []
        for step in range(steps):
            tick = time.perf_counter()
            viewer.SetSlice(viewer.GetSlice() + (1 if step % 2 == 0 else 2))
            window.Render()
            timings.append(time.perf_counter() - tick)
        result[f"{name}_step_ms"] = 1000.0 * float(np.median(timings))
    view_size = window_size // 2
    for orientation, name in zip((2, 1, 0), ORIENTATIONS, strict=True):
        view_window = vtk.vtkRenderWindow()
        view_window.SetOffScreenRendering(True)
        view_window.SetSize(view_size, view_size)
        viewer = vtk.vtkImageViewer2()
        viewer.SetInputData(image)
        viewer.SetRenderWindow(view_window)
        viewer.SetSliceOrientation(orientation)
        viewer.SetColorWindow(1500)
        viewer.SetColorLevel(-600)
        viewer.SetSlice((viewer.GetSliceMin() + viewer.GetSliceMax()) // 2)
        view_window.Render()
        timings, updates = [], []
        for step in range(steps):
            tick = time.perf_counter()
            viewer.SetSlice(viewer.GetSlice() + (1 if step % 2 == 0 else 2))
            updated = time.perf_counter()
            view_window.Render()
            timings.append(time.perf_counter() - tick)
            updates.append(updated - tick)
        result[f"{name}_view_step_ms"] = 1000.0 * float(np.median(timings))
        result[f"{name}_view_update_ms"] = 1000.0 * float(np.median(updates))
        view_window.Finalize()
    result["peak_rss_mb"] = peak_rss_mb()
    result["rendering_rss_mb"] = peak_rss_mb() - rss_data
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=400)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--window", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--child", choices=("ours", "baseline"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        runner = run_ours if args.child == "ours" else run_baseline
        print(json.dumps(runner(args.slices, args.size, args.window, args.steps)))
        return
    results = {}
    for side in ("baseline", "ours"):
        command = [
            sys.executable,
            __file__,
            "--child",
            side,
            "--slices",
            str(args.slices),
            "--size",
            str(args.size),
            "--window",
            str(args.window),
            "--steps",
            str(args.steps),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        results[side] = json.loads(output.strip().splitlines()[-1])
    print(
        f"Slice views, {args.size}×{args.size}×{args.slices} int16 CT, 2×2 layout "
        f"{args.window}×{args.window} offscreen, median of {args.steps} steps per view"
    )
    print(f"{'measure':<28}{'vtkImageViewer2 (baseline)':>28}{'SliceScene (+mask+box)':>26}")
    rows = [("first image (s)", "first_image_s", "{:.3f}")]
    rows += [(f"{name} step (ms)", f"{name}_step_ms", "{:.1f}") for name in ORIENTATIONS]
    rows += [(f"{name} view step (ms)", f"{name}_view_step_ms", "{:.1f}") for name in ORIENTATIONS]
    rows += [
        (f"{name} view update (ms)", f"{name}_view_update_ms", "{:.1f}") for name in ORIENTATIONS
    ]
    rows += [
        ("peak RSS (MB)", "peak_rss_mb", "{:.0f}"),
        ("RSS added by rendering (MB)", "rendering_rss_mb", "{:.0f}"),
    ]
    for label, key, template in rows:
        base, ours = results["baseline"][key], results["ours"][key]
        print(f"{label:<28}{template.format(base):>28}{template.format(ours):>26}")
    print("ours holds two 512³-class uint8 masks (drawn: one mask + one box while stepping)")
    print(
        f"'view step': one view alone in its own {args.window // 2}² window, as a step in the "
        "app re-renders (ours: one mask overlay); 'update': the part before Render()"
    )


if __name__ == "__main__":
    main()
