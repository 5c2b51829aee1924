"""One registry of user actions as data: id, label, keys, description; callbacks bound later.

Key bindings are editable: a user's keys are stored in settings under ``shortcuts/<id>``
and override the defaults. ``create_qactions`` turns the registry into ``QAction`` objects
on a window; ``bind`` attaches the code that runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.ui.settings import read_json_list, write_json_list

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActionSpec:
    """What a user can do: a stable id, a menu label, default keys and a description."""

    action_id: str
    label: str
    default_keys: tuple[str, ...] = ()
    description: str = ""
    menu: str = ""


def _presets() -> list[ActionSpec]:
    names = ["soft tissue", "lung", "liver", "bone", "brain"]
    return [
        ActionSpec(
            f"preset_{name.replace(' ', '_')}",
            f"{name.capitalize()} window",
            (str(number),),
            f"Window/level preset: {name}",
            "View",
        )
        for number, name in enumerate(names, start=1)
    ]


DEFAULT_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "open_file", "Open File…", ("Ctrl+O",), "Open a DICOM, NIfTI or PNG/JPEG file", "File"
    ),
    ActionSpec("open_folder", "Open Folder…", ("Ctrl+Shift+O",), "Open a DICOM folder", "File"),
    ActionSpec("open_report", "Open Report…", ("Ctrl+R",), "Open a grounded report (JSON)", "File"),
    ActionSpec(
        "open_results",
        "Open Results Folder…",
        ("Ctrl+Shift+R",),
        "Show stored model output (vividmed infer bundles) with the images",
        "File",
    ),
    ActionSpec(
        "save_screenshot", "Save Screenshot…", ("Ctrl+Shift+S",), "Save the views as PNG", "File"
    ),
    ActionSpec("quit", "Quit", ("Ctrl+Q",), "Close the viewer", "File"),
    ActionSpec("reset_view", "Reset View", ("R",), "Reset zoom, pan and window", "View"),
    ActionSpec("invert", "Invert", ("I",), "Invert the grey scale", "View"),
    *_presets(),
    ActionSpec("next_slice", "Next Slice", ("Up", "F"), "Move one slice forward", "View"),
    ActionSpec("previous_slice", "Previous Slice", ("Down", "B"), "Move one slice back", "View"),
    ActionSpec(
        "maximize",
        "Maximize View",
        ("M",),
        "Maximize the view under the cursor, or restore",
        "View",
    ),
    ActionSpec("help_shortcuts", "Shortcuts…", ("F1",), "List every action and its keys", "Help"),
)

SETTINGS_GROUP = "shortcuts"


def normalise_keys(keys: Iterable[str]) -> tuple[str, ...]:
    """Keys in Qt's portable spelling ("ctrl+o" → "Ctrl+O"); raises for unknown keys."""
    result = []
    for key in keys:
        text = key.strip()
        if not text:
            continue
        sequence = QKeySequence(text)
        portable = sequence.toString(QKeySequence.SequenceFormat.PortableText)
        if sequence.isEmpty() or not portable:
            raise ValidationError(f"'{key}' is not a key Qt understands")
        result.append(portable)
    return tuple(result)


class ActionRegistry:
    """All actions, their current keys (defaults overridden by settings) and their QActions."""

    def __init__(self, settings: QSettings, specs: Iterable[ActionSpec] = DEFAULT_ACTIONS) -> None:
        self._settings = settings
        self._specs: dict[str, ActionSpec] = {}
        self._qactions: dict[str, QAction] = {}
        self._callbacks: dict[str, Callable[[], object]] = {}
        self._parent: QWidget | None = None
        for spec in specs:
            self.register(spec)

    def register(self, spec: ActionSpec) -> None:
        """Add an action (other panels call this for their own actions)."""
        if spec.action_id in self._specs:
            raise ValidationError(f"action '{spec.action_id}' is registered twice")
        self._specs[spec.action_id] = spec
        if self._parent is not None:
            self._make_qaction(spec, self._parent)

    @property
    def specs(self) -> list[ActionSpec]:
        return list(self._specs.values())

    def spec(self, action_id: str) -> ActionSpec:
        try:
            return self._specs[action_id]
        except KeyError:
            raise ValidationError(f"there is no action '{action_id}'") from None

    def keys(self, action_id: str) -> tuple[str, ...]:
        spec = self.spec(action_id)
        key = f"{SETTINGS_GROUP}/{action_id}"
        if self._settings.contains(key):
            return tuple(read_json_list(self._settings, key))
        return spec.default_keys

    def action_for_key(self, key: str) -> str | None:
        wanted = normalise_keys([key])[0]
        for action_id in self._specs:
            if wanted in self.keys(action_id):
                return action_id
        return None

    def set_keys(self, action_id: str, keys: Iterable[str]) -> None:
        """Rebind an action; persisted at once. Raises when a key already belongs elsewhere."""
        self.spec(action_id)
        new_keys = normalise_keys(keys)
        for key in new_keys:
            owner = self.action_for_key(key)
            if owner is not None and owner != action_id:
                raise ValidationError(
                    f"key '{key}' is already used by '{self._specs[owner].label}'"
                )
        write_json_list(self._settings, f"{SETTINGS_GROUP}/{action_id}", list(new_keys))
        self._settings.sync()
        self._apply_keys(action_id)

    def reset_keys(self, action_id: str) -> None:
        self.spec(action_id)
        self._settings.remove(f"{SETTINGS_GROUP}/{action_id}")
        self._apply_keys(action_id)

    def create_qactions(self, parent: QWidget) -> dict[str, QAction]:
        """One QAction per spec, added to ``parent`` so its keys work anywhere in the window.

        Actions registered later get their QAction on the same parent at once.
        """
        self._parent = parent
        for spec in self._specs.values():
            if spec.action_id not in self._qactions:
                self._make_qaction(spec, parent)
        return dict(self._qactions)

    def _make_qaction(self, spec: ActionSpec, parent: QWidget) -> None:
        action_id = spec.action_id
        action = QAction(spec.label, parent)
        action.setObjectName(f"action_{action_id}")
        action.setStatusTip(spec.description)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setEnabled(action_id in self._callbacks)
        action.triggered.connect(lambda _checked=False, a=action_id: self.trigger(a))
        parent.addAction(action)
        self._qactions[action_id] = action
        self._apply_keys(action_id)

    def qaction(self, action_id: str) -> QAction:
        self.spec(action_id)
        return self._qactions[action_id]

    def bind(self, action_id: str, callback: Callable[[], object]) -> None:
        """Attach the code an action runs (one callback per action)."""
        self.spec(action_id)
        self._callbacks[action_id] = callback
        if action_id in self._qactions:
            self._qactions[action_id].setEnabled(True)

    def trigger(self, action_id: str) -> None:
        callback = self._callbacks.get(action_id)
        if callback is None:
            logger.info("action %s has no callback yet", action_id)
            return
        callback()

    def _apply_keys(self, action_id: str) -> None:
        action = self._qactions.get(action_id)
        if action is not None:
            action.setShortcuts([QKeySequence(k) for k in self.keys(action_id)])
