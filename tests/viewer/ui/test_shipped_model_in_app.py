"""The shipped default model in the window, as ``vividmed-viewer CASE --generate`` runs it.

A held-out test phantom (never trained on) opens; the default model loads on first use and
writes its report; every phrase is a link to an overlay the views show; clicking the lung
phrase highlights a mask whose Dice with the phantom's truth is the one the model card's
evaluation measured for that image (``evaluation_test3.json``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from model_window import RUN_TIMEOUT_MS
from pytestqt.qtbot import QtBot

from model.pipeline import SHIPPED_MODELS_DIR
from training.data.phantom_source import labelled_case_from_phantom
from training.evaluation.evaluate import phantom_options_of
from training.metrics import dice
from training.stages.case_cache import PhantomCaseCache
from training.synthesis.splits import seeds_for
from vividmed_viewer.core import ReportStatus
from vividmed_viewer.core.overlays import MaskOverlay
from vividmed_viewer.io import save_nifti
from vividmed_viewer.ui.app import create_window

SHIPPED = SHIPPED_MODELS_DIR / "demo"
LUNG_TARGETS = ("lungs", "left lung", "right lung")


@pytest.fixture(scope="module")
def test_phantom() -> Any:
    seed = seeds_for("test", 1)[0]
    case = PhantomCaseCache(None, phantom_options_of(SHIPPED), in_memory=1).case(seed)
    return seed, labelled_case_from_phantom(case, "ct")


def card_dice(seed: int, target: str) -> float:
    check = json.loads((SHIPPED / "evaluation_test3.json").read_text("utf-8"))
    values = [
        entry["dice"]
        for entry in check["report_phrase_dice_cases"]
        if entry["image"] == f"{seed}:ct" and entry["target"] == target
    ]
    assert values, f"the card's evaluation has no '{target}' phrase for test phantom {seed}"
    return float(values[0])


def test_generate_on_open_links_every_phrase_and_the_lung_phrase_shows_its_mask(
    qtbot: QtBot, tmp_path: Path, test_phantom: Any, phrases: Any
) -> None:
    seed, labelled = test_phantom
    path = tmp_path / f"test-phantom-{seed}.nii.gz"
    save_nifti(labelled.image.voxels, labelled.image.geometry, path)
    window = create_window([path], generate=True)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    features = window.model_features
    qtbot.waitUntil(lambda: features.controller.pipeline is not None, timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.report is not None and window.report.status is not ReportStatus.STREAMING,
        timeout=3 * RUN_TIMEOUT_MS,
    )
    report = window.report
    assert report is not None and report.status is ReportStatus.COMPLETE
    assert (
        "VividMed (demo)" in features.model_line.text() and "trained" in features.model_line.text()
    )
    assert "demonstration model" in window.report_panel.warning_label.text()
    assert report.phrases, "the shipped model wrote no grounded phrase"

    html = window.report_panel.browser.toHtml()
    links = sorted({int(n) for n in re.findall(r'href="phrase:(\d+)"', html)})
    assert links == list(range(len(report.phrases)))
    shown = set(window.viewer.overlays)
    for phrase in report.phrases:
        assert set(phrase.overlay_ids) <= shown, phrase
    # A phrase whose mask came out empty (thin structures on the coarse model grid) has no
    # overlay; clicking it says so instead of pointing nowhere.
    bare = [i for i, p in enumerate(report.phrases) if not p.overlay_ids]
    for index in bare:
        phrases.click(qtbot, window.report_panel, index)
        target = report.phrases[index].target
        assert window.report_panel.selection_label.text() == f"'{target}' has no region"
    assert len(bare) < len(report.phrases) / 2, "most phrases carry a region"

    index, phrase = next((i, p) for i, p in enumerate(report.phrases) if p.target in LUNG_TARGETS)
    phrases.click(qtbot, window.report_panel, index)
    mask = report.overlays_of(phrase)[0]
    assert isinstance(mask, MaskOverlay)
    assert window.viewer.highlighted == mask.overlay_id
    assert window.report_panel.selection_label.text().startswith(
        f"{report.body.phrase_text(phrase)}: volume"
    )
    truth = labelled.masks[phrase.target]
    measured = dice(mask.label_map.reshape(truth.shape), truth)
    assert measured == pytest.approx(card_dice(seed, phrase.target), abs=0.05)
    window.close()
