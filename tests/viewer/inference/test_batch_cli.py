"""``vividmed infer`` end to end in a subprocess with the tiny config; a killed run resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vividmed_viewer.cli.main import main
from vividmed_viewer.inference.bundle_reader import load_result_bundle


def infer_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "vividmed_viewer.cli.main", "infer", *arguments]


def environment() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def test_cli_writes_a_bundle_with_answers_and_shows_progress(
    tmp_path: Path, case_folder: Path
) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("# asked of every case\nIs there a nodule?\n\nDescribe the lungs.\n")
    out = tmp_path / "out"
    run = subprocess.run(
        infer_command(
            str(case_folder / "a.nii.gz"),
            "--out",
            str(out),
            "--config",
            "tiny",
            "--questions",
            str(questions),
            "--max-new-tokens",
            "12",
        ),
        capture_output=True,
        text=True,
        env=environment(),
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[0] == (
        f"1 case(s): 1 done, 0 already complete, 0 failed; bundles in {out}"
    )
    assert "cases: 100%" in run.stderr  # the progress bar
    report, answers = load_result_bundle(out / "a")
    assert report.provenance.name == "VividMed (tiny)"
    assert [t.content.text for t in answers.turns[::2]] == [
        "Is there a nodule?",
        "Describe the lungs.",
    ]
    model = json.loads((out / "a" / "model.json").read_text())
    assert model["settings"]["max_new_tokens"] == 12 and model["name"] == "tiny"


def test_cli_errors_name_the_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "questions.txt"
    empty.write_text("# nothing\n\n")
    image = tmp_path / "x.nii.gz"
    image.write_bytes(b"")
    assert main(["infer", str(image), "--out", str(tmp_path / "o"), "--questions", str(empty)]) == 1
    assert f"{empty}: no questions in the file (one question a line)" in capsys.readouterr().err
    assert main(["infer", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 1
    assert f"{tmp_path / 'missing'}: no such file or folder" in capsys.readouterr().err
    broken = tmp_path / "broken-model"
    broken.mkdir()
    code = main(["infer", str(image), "--out", str(tmp_path / "o"), "--checkpoint", str(broken)])
    assert code == 1
    assert str(broken) in capsys.readouterr().err


@pytest.mark.slow
def test_a_killed_run_resumes_without_redoing_finished_cases(
    tmp_path: Path, case_folder: Path
) -> None:
    out = tmp_path / "out"
    command = infer_command(
        str(case_folder), "--out", str(out), "--config", "tiny", "--max-new-tokens", "8"
    )
    process = subprocess.Popen(
        command, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 240
        while not list(out.glob("*/DONE")) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/DONE")}
    assert finished and len(finished) < 3
    run = subprocess.run(command, capture_output=True, text=True, env=environment(), check=False)
    assert run.returncode == 0, run.stderr
    skipped, done = len(finished), 3 - len(finished)
    assert f"3 case(s): {done} done, {skipped} already complete, 0 failed" in run.stdout
    assert {n: (out / n / "DONE").stat().st_mtime_ns for n in finished} == finished
    for name in ("a", "b", "c"):
        load_result_bundle(out / name)
