"""3D view speed: first image, rotation frame rate and mask-surface time for a 512×512×400 CT.

Usage: ``python benchmarks/render_volume.py [--slices 400] [--size 512] [--window 512]``.
Each configuration runs in a fresh subprocess (its own peak RSS): the full-resolution
volume and the half-resolution (2× strided) baseline, each rotated 36 × 10° at still quality
and at interactive quality (render window's desired update rate 15 fps, as while the mouse
is down: the ray caster then lowers its sample distances), plus building two mask surfaces.
Runs offscreen (EGL); the table names the volume mapper mode that was used.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

ROTATION_STEPS = 36
INTERACTIVE_RATE = 15.0


def make_chest_ct(slices: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Int16 chest phantom (air, body ellipse, lungs, spine, ribs) and lung/spine label maps."""
    volume = np.full((slices, size, size), -1000, dtype=np.int16)
    lungs = np.zeros((slices, size, size), dtype=np.uint8)
    spine = np.zeros((slices, size, size), dtype=np.uint8)
    y, x = np.mgrid[:size, :size].astype(np.float32) / size
    body = ((x - 0.5) / 0.42) ** 2 + ((y - 0.5) / 0.3) ** 2 < 1
    ribs = (((x - 0.5) / 0.38) ** 2 + ((y - 0.5) / 0.26) ** 2 - 1) ** 2 < 0.004
    vertebra = ((x - 0.5) / 0.05) ** 2 + ((y - 0.72) / 0.05) ** 2 < 1
    noise = np.random.default_rng(0).normal(0, 15, (size, size)).astype(np.int16)
    for z in range(slices):
        t = z / max(slices - 1, 1)
        scale = max(0.0, 1 - ((t - 0.5) / 0.45) ** 2) ** 0.5
        slab = volume[z]
        slab[body] = 40
        slab += np.where(body, noise, 0).astype(np.int16)
        if scale > 0:
            for centre in (0.3, 0.7):
                lung = ((x - centre) / (0.14 * scale)) ** 2 + ((y - 0.48) / (0.2 * scale)) ** 2 < 1
                slab[lung] = -850
                lungs[z][lung] = 1
        rib_phase = (z // max(slices // 40, 1)) % 2 == 0
        if rib_phase:
            slab[ribs & body] = 700
        slab[vertebra] = 900 if (z // max(slices // 25, 1)) % 2 == 0 else 300
        spine[z][vertebra] = 1
    return volume, lungs, spine


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_render(
    slices: int, size: int, window_size: int, stride: int, png: str
) -> dict[str, float | str]:
    from vividmed_viewer.core import ImageVolume
    from vividmed_viewer.render.volume_scene import VolumeScene
    from vividmed_viewer.render.volume_snapshot import OffscreenVolumeWindow

    voxels, _, _ = make_chest_ct(slices, size)
    volume = ImageVolume(voxels, spacing=(1.0, 0.7, 0.7), modality="CT")
    del voxels
    before_render = _peak_rss_mb()
    max_voxels = volume.voxels.size // (stride**3) + 1
    scene = VolumeScene(max_render_voxels=max_voxels)
    window = OffscreenVolumeWindow(scene, (window_size, window_size))
    start = time.perf_counter()
    scene.set_volume(volume, preset="CT bone")
    window.render()
    first = time.perf_counter() - start
    if png:
        window.save_png(png.replace(".png", f"-stride{stride}.png"))
    result: dict[str, float | str] = {
        "first image s": first,
        "grid": "×".join(str(s) for s in volume.shape[::-1]) + f" /{scene.downsample_factor}",
        "mode": f"{scene.resolved_render_mode} (last used {scene.mapper.GetLastUsedRenderMode()})",
    }
    for label, rate in (("still fps", 0.0001), ("interactive fps", INTERACTIVE_RATE)):
        window.window.SetDesiredUpdateRate(rate)
        start = time.perf_counter()
        for _ in range(ROTATION_STEPS):
            scene.rotate(10.0)
            window.render()
        result[label] = ROTATION_STEPS / (time.perf_counter() - start)
    result["peak RSS MB"] = _peak_rss_mb()
    result["render MB"] = result["peak RSS MB"] - before_render
    window.close()
    return result


def run_surfaces(slices: int, size: int) -> dict[str, float | str]:
    from vividmed_viewer.core import GridGeometry, MaskOverlay
    from vividmed_viewer.render.mask_surface import build_mask_surface

    _, lungs, spine = make_chest_ct(slices, size)
    geometry = GridGeometry(lungs.shape, (1.0, 0.7, 0.7))
    result: dict[str, float | str] = {}
    for name, label_map in (("lungs", lungs), ("spine", spine)):
        overlay = MaskOverlay(name, label_map, geometry)
        start = time.perf_counter()
        surface = build_mask_surface(overlay)
        result[f"{name} surface s"] = time.perf_counter() - start
        result[f"{name} triangles"] = float(surface.GetNumberOfPolys())
    result["peak RSS MB"] = _peak_rss_mb()
    return result


def _child(args: argparse.Namespace) -> None:
    if args.child == "surfaces":
        result = run_surfaces(args.slices, args.size)
    else:
        result = run_render(args.slices, args.size, args.window, int(args.child), args.png)
    print(json.dumps(result))


def _run_child(args: argparse.Namespace, child: str) -> dict[str, float | str]:
    command = [sys.executable, __file__, "--child", child]
    command += [
        "--slices",
        str(args.slices),
        "--size",
        str(args.size),
        "--window",
        str(args.window),
        "--png",
        args.png,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slices", type=int, default=400)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--window", type=int, default=512)
    parser.add_argument("--png", default="", help="save each first image (…-strideN.png)")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    print(f"CT {args.size}×{args.size}×{args.slices} int16, offscreen {args.window}² window")
    header = f"{'volume':<28}{'mode':<20}{'first s':>9}{'still fps':>11}{'interact fps':>14}{'peak MB':>9}{'render +MB':>12}"
    print(header)
    print("-" * len(header))
    for stride, name in ((2, "half resolution (baseline)"), (1, "full resolution")):
        row = _run_child(args, str(stride))
        print(
            f"{name:<28}{row['mode']!s:<20}{row['first image s']:>9.2f}{row['still fps']:>11.1f}"
            f"{row['interactive fps']:>14.1f}{row['peak RSS MB']:>9.0f}{row['render MB']:>12.0f}"
        )
    surfaces = _run_child(args, "surfaces")
    for name in ("lungs", "spine"):
        print(
            f"mask surface {name:<7}: {surfaces[f'{name} surface s']:.2f} s, "
            f"{surfaces[f'{name} triangles']:.0f} triangles"
        )
    print(f"mask surfaces peak RSS: {surfaces['peak RSS MB']:.0f} MB")


if __name__ == "__main__":
    main()
