"""``vividmed-viewer IMAGE --screenshot OUT.png`` opens the real window, saves it, exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

SAMPLE_CT = Path(__file__).resolve().parents[3] / "resources/samples/phantom_chest/ct.nii.gz"


def run_viewer(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "QT_QPA_PLATFORM": "xcb",
    }
    environment.pop("VIVIDMED_LOG_DIR", None)
    command = [sys.executable, "-m", "vividmed_viewer.ui.app", *args]
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X server (make test: xvfb)")
def test_the_window_is_saved_once_the_image_is_drawn(tmp_path: Path) -> None:
    out = tmp_path / "shots" / "ct.png"
    result = run_viewer(str(SAMPLE_CT), "--screenshot", str(out), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f": {out}" in result.stdout
    pixels = np.asarray(Image.open(out).convert("RGB"))
    assert pixels.shape[0] >= 400 and pixels.shape[1] >= 600
    assert pixels.std() > 20  # the CT and the panels, not an empty frame
    assert (tmp_path / ".local/state/vividmed/log").is_dir()  # the log went to the fresh HOME


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X server (make test: xvfb)")
def test_a_file_that_cannot_be_opened_exits_non_zero(tmp_path: Path) -> None:
    broken = tmp_path / "scan.dcm"
    broken.write_bytes(b"\x00" * 300)
    result = run_viewer(str(broken), "--screenshot", str(tmp_path / "x.png"), home=tmp_path)
    assert result.returncode == 1
    assert f"cannot open {broken}" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_a_screenshot_needs_an_image(tmp_path: Path) -> None:
    result = run_viewer("--screenshot", str(tmp_path / "x.png"), home=tmp_path)
    assert result.returncode == 2 and "needs an image" in result.stderr
