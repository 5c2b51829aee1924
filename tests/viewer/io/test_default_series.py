"""Which series a folder opens: a 3-slice scout listed first loses to the 10-slice series."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import phantom_volume, write
from pydicom.uid import generate_uid

from vividmed_viewer.cli.main import main
from vividmed_viewer.core.series_choice import default_series
from vividmed_viewer.io import load_image, scan_path


@pytest.fixture(scope="module")
def scout_first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One study: a 3-file scout ('A scout', files A*) and a 10-file series ('B axial')."""
    folder = tmp_path_factory.mktemp("scout-first")
    study = generate_uid()
    write(
        folder,
        phantom_volume(3, spacing=(5.0, 0.8, 0.7)),
        file_name_pattern="A{number:03d}.dcm",
        series_description="A scout",
        study_instance_uid=study,
    )
    write(
        folder,
        phantom_volume(10),
        file_name_pattern="B{number:03d}.dcm",
        series_description="B axial",
        study_instance_uid=study,
    )
    return folder


def test_the_scout_is_listed_first_but_the_main_series_is_the_default(
    scout_first: Path,
) -> None:
    studies = scan_path(scout_first)
    listed = [s.description for s in studies[0].image_series]
    assert listed == ["A scout", "B axial"]  # scan order: the scout first
    chosen = default_series(studies)
    assert chosen is not None and chosen.description == "B axial"
    assert default_series([]) is None


def test_load_image_opens_the_default_series(scout_first: Path) -> None:
    volume = load_image(scout_first)
    assert volume.shape[0] == 10 and volume.metadata.series_description == "B axial"
    assert any("1 other image series" in note for note in volume.metadata.notes)


def test_info_marks_the_series_that_opens(
    scout_first: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(scout_first), "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    opens = {s["description"]: s["opens_by_default"] for s in described["studies"][0]["series"]}
    assert opens == {"A scout": False, "B axial": True}
    assert main(["info", str(scout_first)]) == 0
    lines = capsys.readouterr().out.splitlines()
    marked = [line for line in lines if "(opens by default)" in line]
    assert len(marked) == 1 and "'B axial': 10 file(s)" in marked[0]
