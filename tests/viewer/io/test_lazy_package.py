"""``vividmed_viewer.io`` loads its readers on first use: a light submodule stays light."""

from __future__ import annotations

import subprocess
import sys

import vividmed_viewer.io as io_package


def test_every_exported_name_resolves() -> None:
    for name in io_package.__all__:
        assert getattr(io_package, name) is not None, name
    assert sorted(io_package.__all__) == sorted(io_package._MODULE_OF)


def test_the_format_rules_load_no_reader() -> None:
    probe = (
        "import sys\n"
        "from vividmed_viewer.io.formats import image_stem\n"
        "print(','.join(m for m in ('pydicom', 'nibabel', 'PIL') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
