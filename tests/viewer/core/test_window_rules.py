"""Window text and percentile windows: one rounding rule, one percentile function."""

from __future__ import annotations

import re

import numpy as np
import pytest

from vividmed_viewer.core import ImageVolume, WindowLevel
from vividmed_viewer.core.window import (
    MAX_PERCENTILE_SAMPLES,
    WINDOW_PRESETS,
    percentile_range,
    percentile_window,
)


@pytest.mark.parametrize(
    ("center", "width", "text"),
    [
        (40, 400, "W 400 L 40"),
        (49.375, 2097.25, "W 2097 L 49"),  # a percentile window of a CT: no "L 49.375"
        (-600, 1500, "W 1500 L -600"),
        (-0.4, 80, "W 80 L 0"),  # no negative zero
        (0.49937, 0.99874, "W 0.999 L 0.499"),  # a 0–1 image: three significant digits
        (2.5, 5, "W 5 L 2.5"),
        (0.00061, 0.0012, "W 0.0012 L 0.00061"),
    ],
)
def test_window_text_is_rounded_to_the_window_scale(center: float, width: float, text: str) -> None:
    assert WindowLevel(center, width).describe() == text


def test_presets_read_as_radiologists_write_them() -> None:
    assert WINDOW_PRESETS["lung"].describe() == "W 1500 L -600"
    assert WINDOW_PRESETS["brain"].describe() == "W 80 L 40"


def test_a_ct_without_a_stored_window_shows_whole_numbers() -> None:
    rng = np.random.default_rng(3)
    voxels = rng.normal(40, 350, size=(6, 32, 32)).astype(np.int16)
    voxels[0, 0, :8] = -1024
    volume = ImageVolume(voxels, modality="CT")
    assert volume.display_window.center != round(volume.display_window.center)
    assert re.fullmatch(r"W \d+ L -?\d+", volume.display_window.describe())


def test_a_small_range_image_keeps_its_own_window_width() -> None:
    """A float image with values 0–0.01 gets a window 0.01 wide, not one of width 1."""
    voxels = np.linspace(0.0, 0.01, 4000, dtype=np.float32).reshape(4, 10, 100)
    window = ImageVolume(voxels, modality="MR").display_window
    assert window.width == pytest.approx(0.01, rel=0.01)
    assert window.describe() == "W 0.00998 L 0.005"
    assert float(window.apply(np.array([0.0]))[0]) < 0.01
    assert float(window.apply(np.array([0.01]))[0]) > 0.99


def test_a_constant_image_gets_a_window_of_width_one() -> None:
    window = percentile_window(np.full((2, 3, 3), 7, dtype=np.int16))
    assert (window.center, window.width) == (7.0, 1.0)


def test_percentile_range_matches_numpy_and_subsamples_large_arrays() -> None:
    values = np.arange(1000, dtype=np.int16)
    assert percentile_range(values, 1.0, 99.0) == pytest.approx(
        tuple(np.percentile(values, [1.0, 99.0]))
    )
    large = np.arange(3 * MAX_PERCENTILE_SAMPLES, dtype=np.float32)
    lower, upper = percentile_range(large)
    assert lower == pytest.approx(0.001 * large.size, rel=0.01)
    assert upper == pytest.approx(0.999 * large.size, rel=0.001)
    assert percentile_range(large) == (lower, upper)  # a fixed stride: the same every time
    window = percentile_window(large)
    assert (window.lower, window.upper) == pytest.approx((lower, upper))
