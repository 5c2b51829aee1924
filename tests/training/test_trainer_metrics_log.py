"""The metrics log: CSV rows, truncation on resume, TensorBoard events and the PNG plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.trainer.metrics_log import MetricsLog, read_metrics_csv


def test_rows_plot_and_resume_truncation(tmp_path: Path) -> None:
    log = MetricsLog(tmp_path)
    for step in range(1, 6):
        log.log(step, {"loss": 2.0 / step, "lm_loss": 1.0 / step, "lr": 1e-4})
    plot = log.plot("stage 1")
    log.close()
    rows = read_metrics_csv(tmp_path / "metrics.csv")
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[1]["loss"] == 1.0 and "mask_loss" not in rows[1]
    with Image.open(plot) as image:
        pixels = np.asarray(image.convert("L"))
    assert pixels.shape[1] > 300 and len(np.unique(pixels)) > 2
    assert any((tmp_path / "tensorboard").iterdir())

    resumed = MetricsLog(tmp_path, resume_step=3)
    resumed.log(4, {"loss": 0.1})
    resumed.close()
    rows = read_metrics_csv(tmp_path / "metrics.csv")
    assert [r["step"] for r in rows] == [1, 2, 3, 4]
    assert rows[2]["loss"] == pytest.approx(2.0 / 3, rel=1e-5) and rows[3]["loss"] == 0.1
