"""The run's metrics log: a CSV file, TensorBoard events (when installed) and a PNG of the curves."""

from __future__ import annotations

import csv
import importlib.util
import logging
import math
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

COLUMNS = (
    "step",
    "loss",
    "lm_loss",
    "mask_loss",
    "box_loss",
    "prompt_loss",
    "lr",
    "grad_norm",
    "steps_per_s",
    "elapsed_s",
)
LOSS_COLUMNS = ("loss", "lm_loss", "mask_loss", "box_loss", "prompt_loss")


def read_metrics_csv(path: Path) -> list[dict[str, float]]:
    """Rows of a metrics CSV as numbers (empty cells are left out)."""
    rows: list[dict[str, float]] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {key: float(value) for key, value in row.items() if value not in ("", None)}
            )
    return rows


class MetricsLog:
    """Appends one row per logged step; on resume, rows after the resumed step are dropped."""

    def __init__(self, directory: Path, resume_step: int = 0, tensorboard: bool = True) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.csv_path = directory / "metrics.csv"
        self.plot_path = directory / "curves.png"
        self._truncate_after(resume_step)
        self._writer: Any = None
        if tensorboard and importlib.util.find_spec("tensorboard") is not None:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(
                log_dir=str(directory / "tensorboard"), purge_step=resume_step + 1
            )
        elif tensorboard:
            logger.warning("the tensorboard package is not installed: logging to CSV only")

    def _truncate_after(self, step: int) -> None:
        kept = []
        if self.csv_path.exists():
            kept = [row for row in read_metrics_csv(self.csv_path) if row.get("step", 0) <= step]
        with self.csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for row in kept:
                writer.writerow({k: _format(row.get(k)) for k in COLUMNS})

    def log(self, step: int, values: dict[str, float]) -> None:
        """Record ``values`` (any of ``COLUMNS``) at optimizer step ``step``."""
        row = {"step": step, **values}
        with self.csv_path.open("a", newline="", encoding="utf-8") as handle:
            csv.DictWriter(handle, fieldnames=COLUMNS).writerow(
                {k: _format(row.get(k)) for k in COLUMNS}
            )
        if self._writer is not None:
            for key, value in values.items():
                if value is not None and math.isfinite(value):
                    group = "loss" if key in LOSS_COLUMNS else "train"
                    self._writer.add_scalar(f"{group}/{key}", value, step)

    def plot(self, title: str = "") -> Path:
        """Draw the loss curves and the learning rate to ``curves.png``; returns its path."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = read_metrics_csv(self.csv_path)
        figure, (loss_axes, lr_axes) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
        for key in LOSS_COLUMNS:
            points = [(r["step"], r[key]) for r in rows if key in r]
            if points:
                steps, values = zip(*points, strict=True)
                loss_axes.plot(steps, values, label=key)
        loss_axes.set_ylabel("loss")
        loss_axes.legend(loc="upper right")
        loss_axes.set_title(title)
        lr_points = [(r["step"], r["lr"]) for r in rows if "lr" in r]
        if lr_points:
            steps, values = zip(*lr_points, strict=True)
            lr_axes.plot(steps, values, color="black")
        lr_axes.set_ylabel("learning rate")
        lr_axes.set_xlabel("optimizer step")
        figure.tight_layout()
        figure.savefig(self.plot_path, dpi=100)
        plt.close(figure)
        return self.plot_path

    def close(self) -> None:
        """Flush and close TensorBoard."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _format(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"
