"""Preset data, render-mode choice and the downsampling rule of the 3D view (no rendering)."""

from __future__ import annotations

import numpy as np
import pytest

from vividmed_viewer.core import ImageVolume, RenderError
from vividmed_viewer.render.volume_image import downsample_factor, strided_for_rendering
from vividmed_viewer.render.volume_presets import (
    VOLUME_PRESETS,
    default_preset_name,
    get_preset,
    intensity_range,
)
from vividmed_viewer.render.volume_render_mode import (
    RENDER_MODE_ENVIRONMENT,
    is_software_opengl,
    resolve_render_mode,
)
from vividmed_viewer.render.volume_scene import VolumeScene


def test_presets_cover_ct_and_mr_and_default_by_modality() -> None:
    assert {"CT bone", "CT soft tissue", "CT lung", "MR"} <= set(VOLUME_PRESETS)
    assert default_preset_name("CT") == "CT bone"
    assert default_preset_name("mr") == "MR"
    assert default_preset_name("PT") == "MR"
    for preset in VOLUME_PRESETS.values():
        values = [point[0] for point in preset.opacity_points]
        assert values == sorted(values)
        assert all(0.0 <= opacity <= 1.0 for _, opacity in preset.opacity_points)


def test_relative_preset_follows_the_intensity_range() -> None:
    voxels = np.linspace(100.0, 1100.0, 1000).reshape(10, 10, 10)
    low, high = intensity_range(voxels)
    assert low == pytest.approx(110.0, abs=1.0) and high == pytest.approx(1095.0, abs=1.0)
    colours, opacities = get_preset("MR").resolved((100.0, 1100.0))
    assert opacities[0][0] == pytest.approx(100.0) and opacities[-1][0] == pytest.approx(1100.0)
    assert colours[-1] == (1100.0, 1.0, 1.0, 1.0)
    ct_colours, _ = get_preset("CT bone").resolved((100.0, 1100.0))
    assert ct_colours[0][0] == -1000


def test_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(RenderError, match=r"unknown volume preset 'PET'.*CT lung.*MR"):
        get_preset("PET")


def test_render_mode_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RENDER_MODE_ENVIRONMENT, raising=False)
    assert resolve_render_mode("auto", None) == "cpu"  # renderer unknown yet: ray casting
    assert resolve_render_mode("gpu", None) == "gpu"
    assert is_software_opengl("llvmpipe (LLVM 15.0.6, 256 bits)")
    assert not is_software_opengl("NVIDIA H100 80GB HBM3/PCIe/SSE2")
    monkeypatch.setenv(RENDER_MODE_ENVIRONMENT, "GPU")
    assert resolve_render_mode("auto", None) == "gpu"
    monkeypatch.setenv(RENDER_MODE_ENVIRONMENT, "vulkan")
    with pytest.raises(
        RenderError, match="VIVIDMED_VOLUME_RENDER_MODE must be 'cpu' or 'gpu', got 'vulkan'"
    ):
        resolve_render_mode("auto", None)
    with pytest.raises(RenderError, match="render mode must be 'auto', 'cpu' or 'gpu', got 'fast'"):
        resolve_render_mode("fast", None)  # type: ignore[arg-type]


def test_downsampling_rule_keeps_voxel_zero_in_place() -> None:
    assert downsample_factor((400, 512, 512), 48_000_000) == 2
    assert downsample_factor((100, 100, 100), 1_000_000) == 1
    assert downsample_factor((100, 100, 100), 999_999) == 2
    voxels = np.arange(27 * 8, dtype=np.int16).reshape(6, 6, 6)
    strided, spacing, factor = strided_for_rendering(voxels, (1.0, 0.5, 0.5), max_voxels=30)
    assert factor == 2 and strided.shape == (3, 3, 3) and spacing == (2.0, 1.0, 1.0)
    assert strided[0, 0, 0] == voxels[0, 0, 0] and strided[1, 1, 1] == voxels[2, 2, 2]


def test_single_slice_image_is_refused_by_the_3d_view() -> None:
    radiograph = ImageVolume(np.zeros((32, 32), dtype=np.uint16), modality="CR")
    with pytest.raises(RenderError, match=r"needs more than one slice; this image is CR 32×32"):
        VolumeScene().set_volume(radiograph)
