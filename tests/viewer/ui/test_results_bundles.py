"""Opening a case with its stored batch results (``--results DIR``, File ▸ Open Results Folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from model_window import REPORT
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume, ReportStatus
from vividmed_viewer.inference.batch_runner import BatchOptions, run_batch
from vividmed_viewer.inference.bundle_reader import load_result_bundle
from vividmed_viewer.inference.cases import find_cases
from vividmed_viewer.inference.forcing import script_text, scripted
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.io import save_nifti
from vividmed_viewer.ui.app import create_window
from vividmed_viewer.ui.main_window import MainWindow

Case = tuple[ImageVolume, GroundedReport]


@pytest.fixture()
def bundle(tmp_path: Path, sample_case: Case, tiny_pipeline: Any) -> tuple[Path, Path]:
    """(image, results folder): one case run through the batch runner with the tiny model."""
    volume, _ = sample_case
    image = tmp_path / "images" / "chest.nii.gz"
    image.parent.mkdir()
    save_nifti(volume.voxels, volume.geometry, image)
    out = tmp_path / "results"
    options = BatchOptions(
        out=out,
        settings=InferenceSettings(device="cpu", max_new_tokens=40, box_threshold=0.0),
        questions=["Is there a nodule?"],
        logits_processors=(scripted(tiny_pipeline, REPORT),),
    )
    summary = run_batch(find_cases(image), options, lambda: tiny_pipeline, show_progress=False)
    assert summary.count("done") == 1
    return image, out


def wait_for_volume(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.volume is not None, timeout=60_000)


def test_results_folder_shows_the_stored_report_answers_and_overlays_without_the_model(
    qtbot: QtBot, bundle: tuple[Path, Path]
) -> None:
    image, out = bundle
    stored, answers = load_result_bundle(out / "chest")
    window = create_window([image], results=out)
    qtbot.addWidget(window)
    window.show()
    wait_for_volume(qtbot, window)
    report = window.report
    assert report is not None and report.status is ReportStatus.COMPLETE
    assert report.text == stored.text == script_text(REPORT)
    assert window.report_panel.browser.toPlainText() == report.text
    assert set(window.overlay_list.rows) >= set(stored.overlays)
    assert set(window.viewer.overlays) >= set(stored.overlays)
    conversation = window.model_features.conversation
    assert conversation is not None
    assert [t.content.text for t in conversation.turns] == [
        "Is there a nodule?",
        answers.turns[1].content.text,
    ]
    assert "Is there a nodule?" in window.model_features.chat_panel.browser.toPlainText()
    assert "UNTRAINED" in window.report_panel.warning_label.text()
    assert "none (built from config 'tiny')" in window.report_panel.provenance_label.text()
    controller = window.model_features.controller
    assert controller.pipeline is None and not controller.busy  # nothing was run


def test_open_results_folder_from_the_file_menu_and_a_failed_case_is_reported(
    qtbot: QtBot, tmp_path: Path, bundle: tuple[Path, Path], sample_case: Case
) -> None:
    image, out = bundle
    window = create_window([image])
    qtbot.addWidget(window)
    window.show()
    wait_for_volume(qtbot, window)
    assert window.report is None
    assert window.action_registry.qaction("open_results").isEnabled()
    window.set_results_dir(out)
    assert window.report is not None and window.report.text == script_text(REPORT)

    failed = out / "broken"
    failed.mkdir()
    (failed / "error.txt").write_text("case broken (x) failed:\nValueError: bad pixels\n")
    volume, _ = sample_case
    other = tmp_path / "images" / "broken.nii.gz"
    save_nifti(volume.voxels, volume.geometry, other)
    window.open_path(other)
    qtbot.waitUntil(lambda: window.volume_source == str(other), timeout=60_000)
    assert window.report is None
    message = window.status.currentMessage()
    assert "this case failed in the batch run: ValueError: bad pixels" in message
    assert str(failed) in message


def test_opening_a_case_bundle_with_no_image_open_opens_its_image(
    qtbot: QtBot, bundle: tuple[Path, Path]
) -> None:
    image, out = bundle
    window = create_window()
    qtbot.addWidget(window)
    window.show()
    window.set_results_dir(out / "chest")
    wait_for_volume(qtbot, window)
    assert Path(window.volume_source).resolve() == image.resolve()
    assert window.report is not None and window.report.text == script_text(REPORT)
