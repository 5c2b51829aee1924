"""Persistent user settings (QSettings, INI format) and the recent-files list."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QSettings

logger = logging.getLogger(__name__)

ORGANISATION = "VividMed"
APPLICATION = "VividMed Viewer"
RECENT_KEY = "recent/paths"
MAX_RECENT = 10


def app_settings() -> QSettings:
    """The user's settings store (tests redirect it with ``QSettings.setPath``)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


def read_json_list(settings: QSettings, key: str) -> list[str]:
    """A list of strings stored as JSON under ``key``; empty when absent or unreadable."""
    raw = settings.value(key, "")
    if not raw:
        return []
    try:
        values = json.loads(str(raw))
    except json.JSONDecodeError:
        logger.warning("setting %s is not valid JSON (%r); ignoring it", key, raw)
        return []
    if not isinstance(values, list):
        logger.warning("setting %s is not a list (%r); ignoring it", key, raw)
        return []
    return [str(v) for v in values]


def write_json_list(settings: QSettings, key: str, values: list[str]) -> None:
    settings.setValue(key, json.dumps(list(values)))


class RecentFiles:
    """Most-recently-opened files and folders, newest first, persisted in settings."""

    def __init__(self, settings: QSettings, limit: int = MAX_RECENT) -> None:
        self._settings = settings
        self._limit = limit

    @property
    def paths(self) -> list[str]:
        return read_json_list(self._settings, RECENT_KEY)

    def add(self, path: str | Path) -> None:
        text = str(Path(path).resolve())
        paths = [p for p in self.paths if p != text]
        paths.insert(0, text)
        write_json_list(self._settings, RECENT_KEY, paths[: self._limit])
        self._settings.sync()

    def remove(self, path: str | Path) -> None:
        text = str(Path(path).resolve())
        write_json_list(self._settings, RECENT_KEY, [p for p in self.paths if p != text])

    def clear(self) -> None:
        write_json_list(self._settings, RECENT_KEY, [])
