"""Typed events: one emitter per kind of change, each carrying one frozen event object.

``Emitter[E]`` is the typed sibling of :class:`~vividmed_viewer.core.events.EventEmitter`
(napari's ``EventEmitter`` per model attribute is the pattern): subscribers get exactly
one argument, the event dataclass, so what a change carries is stated in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

E = TypeVar("E")


class Emitter(Generic[E]):
    """Callbacks called in subscription order with the emitted event."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[[E], None]] = []

    def connect(self, callback: Callable[[E], None]) -> Callable[[E], None]:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[[E], None]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, event: E) -> None:
        for callback in list(self._callbacks):
            callback(event)

    def __len__(self) -> int:
        return len(self._callbacks)

    def __repr__(self) -> str:
        return f"Emitter({self.name!r}, {len(self)} subscribers)"
