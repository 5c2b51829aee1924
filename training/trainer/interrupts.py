"""Ctrl-C during training: an exception that says what was saved, and a deferral window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; ``checkpoint`` holds the step reached (None: not saved)."""

    def __init__(self, step: int, checkpoint: Path | None) -> None:
        super().__init__(f"interrupted at step {step}")
        self.step = step
        self.checkpoint = checkpoint


@contextmanager
def interrupt_deferred() -> Iterator[list[bool]]:
    """Yield a list; once something is appended to it, SIGINT only sets it to ``[True]``.

    Before that, Ctrl-C raises ``KeyboardInterrupt`` as usual. Outside the main thread
    (where signal handlers cannot be set) nothing is deferred.
    """
    import signal
    import threading

    flags: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield flags
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None:  # a handler set outside Python: put Python's default back
        previous = signal.default_int_handler

    def handler(number: int, frame: Any) -> None:
        if not flags:
            raise KeyboardInterrupt
        flags[:] = [True]

    signal.signal(signal.SIGINT, handler)
    try:
        yield flags
    finally:
        signal.signal(signal.SIGINT, previous)
