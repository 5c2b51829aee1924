"""Callback types shared by the loaders: progress reports and cancellation checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vividmed_viewer.io.errors import LoadCancelled

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


def check_cancelled(cancel: CancelCheck | None, path: str | Path, done: int, total: int) -> None:
    """Raise :class:`LoadCancelled` when the user asked to stop."""
    if cancel is not None and cancel():
        raise LoadCancelled(f"{path}: loading cancelled after {done} of {total} slices")
