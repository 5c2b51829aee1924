"""The application's version, from the installed distribution's metadata.

A frozen bundle may carry no ``vividmed`` metadata; it then reports :data:`FALLBACK_VERSION`
(kept equal to ``pyproject.toml``'s version: a test checks it). Importing this module loads
neither Qt, VTK nor torch, so ``--version`` answers at once.
"""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "vividmed"
FALLBACK_VERSION = "0.1.0"


def app_version() -> str:
    """The installed ``vividmed`` version, or :data:`FALLBACK_VERSION` without metadata."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return FALLBACK_VERSION
