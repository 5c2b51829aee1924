"""``--version`` of both command lines: the app's version, at once, without Qt, VTK or torch."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from vividmed_viewer.version import FALLBACK_VERSION, app_version

REPO = Path(__file__).resolve().parents[3]
HEAVY = ("PySide6", "vtkmodules", "torch", "transformers")

PROBE = """
import sys
from {module} import main
try:
    code = main(["--version"])
except SystemExit as stop:
    code = stop.code
heavy = [name for name in {heavy!r} if name in sys.modules]
print("loaded:", ",".join(heavy) or "none")
raise SystemExit(code)
"""


def test_the_fallback_is_the_project_version() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["version"] == FALLBACK_VERSION
    assert app_version() == project["version"]  # (installed in the venv, editable)


@pytest.mark.parametrize(
    ("module", "program"),
    [("vividmed_viewer.cli.main", "vividmed"), ("vividmed_viewer.ui.app", "vividmed-viewer")],
)
def test_version_prints_and_loads_nothing_heavy(module: str, program: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module, heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{program} {app_version()}"
    assert lines[-1] == "loaded: none"


@pytest.mark.parametrize("script", ["vividmed", "vividmed-viewer"])
def test_console_scripts_answer_version(script: str) -> None:
    executable = Path(sys.executable).with_name(script)
    if not executable.is_file():
        pytest.skip(f"{script} is not installed next to {sys.executable}")
    result = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"{script} {app_version()}"
