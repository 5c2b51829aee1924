"""The ``vividmed-viewer`` command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from vividmed_viewer.ui.app import build_parser, main


def test_arguments_are_parsed() -> None:
    args = build_parser().parse_args(["a.dcm", "folder", "--report", "r.json", "--results", "out"])
    assert args.paths == [Path("a.dcm"), Path("folder")]
    assert args.report == Path("r.json") and args.results == Path("out")


def test_missing_results_folder_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--results", str(tmp_path / "nowhere")]) == 2
    assert f"{tmp_path / 'nowhere'}: results folder not found" in capsys.readouterr().err
