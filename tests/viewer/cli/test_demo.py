"""``vividmed demo`` (what ``make run`` runs) without a display: the default model's reports
on the samples, their result bundles and screenshots; or the phantoms' ground truth."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from vividmed_viewer.cli import demo
from vividmed_viewer.core import GroundedReport, default_taxonomy
from vividmed_viewer.render.offscreen import read_png


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    demo.add_arguments(parser)
    return demo.run(parser.parse_args(argv))


def test_headless_demo_runs_the_shipped_model_and_pictures_its_first_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vividmed_viewer.inference.bundle_reader import load_result_bundle
    from vividmed_viewer.inference.bundle_writer import is_complete

    assert _run(["--headless", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    samples = demo.sample_images()
    assert [s.name for s in samples][:2] == ["phantom-ct", "rg1-chest-cr"]
    assert printed.count("Report source: Model: VividMed (demo)") == len(samples)
    assert "demonstration model trained on synthetic phantoms" in printed
    for sample in samples:
        bundle = tmp_path / "results" / sample.name
        assert is_complete(bundle) and str(bundle) in printed
        report, _ = load_result_bundle(bundle)
        assert report.provenance.checkpoint.endswith("resources/models/demo")
        for layout in sample.layouts:
            picture = read_png(tmp_path / f"{sample.name}-{layout}.png")
            assert picture.std() > 5, f"{sample.name} {layout} is blank"
    ct_report, _ = load_result_bundle(tmp_path / "results" / "phantom-ct")
    assert ct_report.phrases and all(p.overlay_ids for p in ct_report.phrases)
    assert f"(highlighted in the screenshots: '{demo.first_finding_phrase(ct_report)}')" in printed
    # A second run reuses the finished bundles instead of running the model again.
    assert _run(["--headless", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "results" / "summary.json").read_text())["counts"] == {
        "done": 0,
        "skipped": len(samples),
        "failed": 0,
    }


def test_headless_ground_truth_demo_pictures_every_sample_and_says_where_reports_come_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["--headless", "--ground-truth", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    samples = demo.sample_images()
    assert {s.name for s in samples} >= {"phantom-ct", "phantom-radiograph"}
    for sample in samples:
        for layout in sample.layouts:
            picture = read_png(tmp_path / f"{sample.name}-{layout}.png")
            assert picture.std() > 5, f"{sample.name} {layout} is blank"
            assert str(tmp_path / f"{sample.name}-{layout}.png") in printed
    assert printed.count("Report source: Ground truth") == 2
    assert "Model:" not in printed
    # The radiograph is centred on its highlighted finding: the film fills the middle.
    film = read_png(tmp_path / "phantom-radiograph-2d.png").astype(float)
    h, w = film.shape[0] // 4, film.shape[1] // 4
    middle = film[h:-h, w:-w].max(axis=2)
    assert np.count_nonzero(middle > 20) > 0.5 * middle.size


def test_first_finding_prefers_an_abnormality() -> None:
    report = GroundedReport.load(demo.SAMPLES_DIR / "report_ct.json")
    phrase = demo.first_finding_phrase(report)
    assert phrase is not None
    found = report.find_phrase(phrase)
    assert found is not None and found.overlay_ids
    assert default_taxonomy()[found.target].wants_boxes
