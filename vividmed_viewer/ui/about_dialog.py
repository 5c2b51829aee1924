"""Help ▸ About: versions of the app, the model, torch, Qt, VTK and Python, and the app's folders.

Nothing here loads torch or the model: torch's version comes from its installed metadata,
the model's from its checkpoint's ``config.json`` and ``trainer_state.json``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import platformdirs
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSettings, Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vividmed_viewer.core.taxonomy import RESOURCES_DIR
from vividmed_viewer.logs import log_file_path
from vividmed_viewer.ui.preferences_dialog import read_model_source
from vividmed_viewer.version import app_version

SHIPPED_MODELS_DIR = RESOURCES_DIR / "models"
DEMO_CONFIG = "demo"  # as model.pipeline.DEMO_CONFIG: a checkpoint of it is the demo model
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json")


def installed_version(distribution: str, module: str | None = None) -> str:
    """A distribution's version from its metadata (the package is not imported).

    A bundle may ship a package without its metadata: then it says the package is there.
    """
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        if importlib.util.find_spec(module or distribution) is not None:
            return "installed (version unknown: no package metadata)"
        return "not installed"


def vtk_version() -> str:
    from vtkmodules.vtkCommonCore import vtkVersion

    return str(vtkVersion.GetVTKVersion())


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def describe_model(source: str) -> str:
    """Which model loads on first use, and whether its weights are trained.

    ``source`` is a config name (its shipped checkpoint, if any, is used) or a checkpoint
    folder, as in Model ▸ Preferences.
    """
    folder = Path(source).expanduser()
    if not (folder / "config.json").is_file():
        folder = SHIPPED_MODELS_DIR / source
    if not (folder / "config.json").is_file():
        return f"{source}: built from its config, untrained (random weights)"
    config = _read_json(folder / "config.json")
    name = str(config.get("preset") or folder.name)
    if not any((folder / weights).is_file() for weights in WEIGHT_FILES):
        state = "no weights in the checkpoint"
    elif name == DEMO_CONFIG:
        state = "demo weights, trained on synthetic phantoms only (not for clinical use)"
    else:
        state = "trained checkpoint"
    parts = [f"{name}: {state}"]
    training = _read_json(folder / "trainer_state.json")
    if "stage" in training:
        parts.append(f"stage {training['stage']}, step {training.get('step', '?')}")
    if config.get("backbone"):
        parts.append(f"language backbone {config['backbone']}")
    parts.append(str(folder))
    return "; ".join(parts)


def cache_dir() -> Path:
    """The per-user cache (converted backbones), as ``model.backbone.cache_dir`` finds it."""
    override = os.environ.get("VIVIDMED_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("vividmed"))


def about_entries(settings: QSettings) -> list[tuple[str, str]]:
    """(name, value) rows: versions first, then the folders the app writes to."""
    return [
        ("VividMed Viewer", app_version()),
        ("Model", describe_model(read_model_source(settings))),
        ("torch", installed_version("torch")),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
        ("VTK", vtk_version()),
        ("Python", f"{platform.python_version()} ({platform.platform()})"),
        ("Settings", settings.fileName()),
        ("Cache", str(cache_dir())),
        ("Log file", str(log_file_path())),
    ]


class AboutDialog(QDialog):
    """The About box: a table of versions and folders (selectable, to paste in a bug report)."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About VividMed Viewer")
        self.entries = about_entries(settings)
        intro = QLabel(
            "VividMed Viewer: a radiology workstation with a grounded vision-language model. "
            "Every report shows which model (or ground truth) wrote it."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(self.entries), 2, self)
        self.table.setObjectName("about_versions")
        self.table.setHorizontalHeaderLabels(["", "Version or folder"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        for row, (name, value) in enumerate(self.entries):
            for column, text in enumerate((name, value)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents  # rows follow the wrapped text's height
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(860, 380)

    def value(self, name: str) -> str:
        """The value the table shows for ``name`` (as a user reads it)."""
        for row in range(self.table.rowCount()):
            name_item, value_item = self.table.item(row, 0), self.table.item(row, 1)
            if name_item is not None and value_item is not None and name_item.text() == name:
                return value_item.text()
        raise KeyError(name)
