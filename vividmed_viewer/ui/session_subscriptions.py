"""Subscribe a widget to session events for as long as the widget lives."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject

from vividmed_viewer.core.typed_events import Emitter

Subscription = tuple[Emitter[Any], Callable[[Any], None]]


def subscribe(owner: QObject, subscriptions: Iterable[Subscription]) -> None:
    """Connect each callback now and disconnect them all when ``owner`` is destroyed.

    The session usually outlives a panel (a dialog's, a closed window's); without this it
    would keep calling into a deleted widget.
    """
    pairs = list(subscriptions)
    for emitter, callback in pairs:
        emitter.connect(callback)

    def disconnect_all(*_args: object) -> None:
        for emitter, callback in pairs:
            emitter.disconnect(callback)

    owner.destroyed.connect(disconnect_all)
