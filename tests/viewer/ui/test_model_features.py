"""The model in the window: generate (streamed, linked), stop, chat, load errors, OOM → CPU.

The tiny config runs real forward passes and localization with untrained weights; scripted
decoding (``inference.forcing``) makes it write known phrases so links can be checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import torch
from model_window import ANSWER, REPORT, dialogs, make_model_window, wait_idle
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume, ReportStatus, Role
from vividmed_viewer.inference.forcing import Pacer, script_text, scripted

Case = tuple[ImageVolume, GroundedReport]


def test_generate_streams_text_then_linked_phrases_and_overlays(
    qtbot: QtBot, tmp_path: Path, sample_case: Case, tiny_pipeline: Any, phrases: Any
) -> None:
    volume, _ = sample_case
    window = make_model_window(qtbot, volume, tmp_path, tiny_pipeline)
    features = window.model_features
    features.controller.logits_processors = [scripted(tiny_pipeline, REPORT)]
    seen: list[tuple[int, int]] = []  # (text length, phrases) at each phrase's arrival
    features.controller.report_regions_changed.connect(
        lambda report: seen.append((len(report.text), len(report.phrases)))
    )
    shortcut = window.action_registry.qaction("generate_report").shortcut()
    assert shortcut == QKeySequence("Ctrl+G")
    window.action_registry.qaction("generate_report").trigger()
    assert window.action_registry.qaction("stop_generation").isEnabled()
    wait_idle(qtbot, window)

    report = window.report
    assert report is not None and report.status is ReportStatus.COMPLETE
    assert report.text == script_text(REPORT)
    assert [report.body.phrase_text(p) for p in report.phrases] == [
        "left lung",
        "lung nodule",
        "right lung",
    ]
    # Each phrase arrived once its own text had streamed, before the rest of the report.
    assert [count for _, count in seen] == [1, 2, 3]
    for (length, _), phrase in zip(seen, report.phrases, strict=True):
        assert phrase.end <= length < len(report.text)
    # Every phrase is a link to overlays the views and the overlay list show.
    html = window.report_panel.browser.toHtml()
    assert sorted(set(re.findall(r'href="phrase:(\d+)"', html))) == ["0", "1", "2"]
    shown = {o.overlay_id for o in window.shown_overlays}
    for phrase in report.phrases:
        assert phrase.overlay_ids and set(phrase.overlay_ids) <= set(report.overlays) <= shown
    assert set(window.overlay_list.rows) == set(report.overlays)
    phrases.click(qtbot, window.report_panel, 0)  # a click shows the region and its size
    assert window.report_panel.selected_index == 0
    assert window.report_panel.selection_label.text().startswith("left lung: volume")
    # The header names the model and its settings and says the weights are untrained.
    header = window.report_panel.provenance_label.text()
    assert "VividMed (tiny)" in header and "max_new_tokens=256" in header
    assert "none (built from config 'tiny')" in header
    assert window.report_panel.warning_label.isVisible()
    assert "UNTRAINED" in window.report_panel.warning_label.text()


def test_stop_keeps_the_partial_report_and_the_window_stays_usable(
    qtbot: QtBot, tmp_path: Path, sample_case: Case, tiny_pipeline: Any
) -> None:
    volume, _ = sample_case
    window = make_model_window(qtbot, volume, tmp_path, tiny_pipeline)
    controller = window.model_features.controller
    long_report = [*REPORT[:4], *[" The lungs are clear."] * 60, "</s>"]
    pacer = Pacer(after=12, seconds=0.02)
    controller.logits_processors = [scripted(tiny_pipeline, long_report), pacer]
    assert window.model_features.generate_report()
    qtbot.waitUntil(pacer.reached.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: bool(window.report and window.report.phrases), timeout=30_000)
    ticks: list[int] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.wait(300)  # the event loop keeps running while the model writes
    timer.stop()
    assert len(ticks) >= 5 and controller.busy
    window.action_registry.qaction("stop_generation").trigger()
    wait_idle(qtbot, window)

    report = window.report
    assert report is not None and report.status is ReportStatus.STOPPED
    assert script_text(long_report).startswith(report.text)
    assert 0 < len(report.text) < len(script_text(long_report))
    assert window.report_panel.status_label.text() == "Stopped before the end"
    assert [report.body.phrase_text(p) for p in report.phrases] == ["left lung"]
    # Usable afterwards: a new report runs to the end.
    controller.logits_processors = [scripted(tiny_pipeline, REPORT)]
    assert window.model_features.generate_report()
    wait_idle(qtbot, window)
    assert window.report is not None and window.report.status is ReportStatus.COMPLETE


def test_chat_question_is_answered_with_a_clickable_phrase_and_history_per_image(
    qtbot: QtBot, tmp_path: Path, sample_case: Case, tiny_pipeline: Any
) -> None:
    volume, _ = sample_case
    window = make_model_window(qtbot, volume, tmp_path, tiny_pipeline)
    features, chat = window.model_features, window.model_features.chat_panel
    features.controller.logits_processors = [scripted(tiny_pipeline, ANSWER)]
    assert "Is there a pleural effusion?" in chat.browser.toPlainText()  # suggestions
    qtbot.keyClicks(chat.input, "Is there a nodule?")
    qtbot.keyClick(chat.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(chat.input, "Where?")
    assert chat.input.toPlainText() == "Is there a nodule?\nWhere?"  # Shift+Enter: new line
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    assert chat.input.toPlainText() == ""
    wait_idle(qtbot, window)

    conversation = features.conversation
    assert conversation is not None
    assert [t.role for t in conversation.turns] == [Role.USER, Role.ASSISTANT]
    assert conversation.turns[0].content.text == "Is there a nodule?\nWhere?"
    answer = conversation.turns[1].content
    assert answer.text == script_text(ANSWER)
    assert [answer.phrase_text(p) for p in answer.phrases] == ["lung nodule"]
    assert set(answer.phrases[0].overlay_ids) <= set(conversation.overlays)
    assert 'href="chat:1:0"' in chat.browser.toHtml()
    assert "untrained" in chat.model_label.text()
    activated: list[Any] = []
    chat.phrase_activated.connect(activated.append)
    chat.activate_phrase("1", 0)
    assert [o.overlay_id for o in activated[0]] == list(answer.phrases[0].overlay_ids)
    shown = {o.overlay_id for o in window.shown_overlays}
    assert set(answer.phrases[0].overlay_ids) <= shown

    # Another image has its own (empty) history; the first image's comes back.
    other = tmp_path / "other"
    other.mkdir()
    make_other = ImageVolume(volume.voxels[:, ::2, ::2].copy(), spacing=(2.5, 3.0, 3.0))
    from vividmed_viewer.io import save_nifti

    save_nifti(make_other.voxels, make_other.geometry, other / "b.nii.gz")
    window.show_volume(make_other, str(other / "b.nii.gz"))
    assert features.conversation is not None and features.conversation.turns == []
    window.show_volume(volume, str(tmp_path / "phantom.nii.gz"))
    assert features.conversation is conversation and len(conversation.turns) == 2
    chat.clear_button.click()
    assert conversation.turns == [] and conversation.overlays == {}


def test_model_loads_on_first_use_and_a_broken_checkpoint_gives_an_error_dialog(
    qtbot: QtBot, tmp_path: Path, sample_case: Case
) -> None:
    volume, _ = sample_case
    window = make_model_window(qtbot, volume, tmp_path)
    features = window.model_features
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{ not json")
    features.open_model(str(broken))
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: bool(dialogs("error_dialog")), timeout=10_000)
    dialog = dialogs("error_dialog")[0]
    assert dialog.windowTitle() == "Cannot load the model"
    assert str(broken) in dialog.text()
    dialog.close()
    assert features.controller.pipeline is None

    # The window stays usable: Generate loads the chosen model (tiny) first, then writes.
    assert features.generate_report()
    assert window.status.progress.isVisible()
    wait_idle(qtbot, window)
    assert features.controller.pipeline is not None
    assert "VividMed (tiny)" in features.model_line.text()
    assert "UNTRAINED" in features.model_line.text()
    assert window.report is not None and window.report.status is not ReportStatus.STREAMING


def test_out_of_gpu_memory_offers_the_cpu_and_retries(
    qtbot: QtBot, tmp_path: Path, sample_case: Case, tiny_pipeline: Any
) -> None:
    volume, _ = sample_case
    window = make_model_window(qtbot, volume, tmp_path, tiny_pipeline)
    controller = window.model_features.controller
    controller.set_settings(controller.settings.with_changes(device="auto"))
    controller.use_pipeline(tiny_pipeline, "tiny")
    raised: list[int] = []

    def out_of_memory_once(generated: Any, logits: Any) -> Any:
        if not raised:
            raised.append(1)
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return logits

    controller.logits_processors = [out_of_memory_once, scripted(tiny_pipeline, REPORT)]
    assert window.model_features.generate_report()
    qtbot.waitUntil(lambda: bool(dialogs("out_of_memory_dialog")), timeout=30_000)
    assert window.report is not None and window.report.status is ReportStatus.FAILED
    box = dialogs("out_of_memory_dialog")[0]
    assert "ran out of memory" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: controller.settings.device == "cpu", timeout=5_000)
    qtbot.waitUntil(
        lambda: window.report is not None and window.report.status is ReportStatus.COMPLETE,
        timeout=60_000,
    )
    assert window.report is not None and window.report.text == script_text(REPORT)


def test_open_model_loads_a_checkpoint_folder_named_in_the_report_header(
    qtbot: QtBot, tmp_path: Path, sample_case: Case, tiny_pipeline: Any
) -> None:
    from model.checkpoint import save_checkpoint

    checkpoint = save_checkpoint(
        tiny_pipeline.model, tmp_path / "my-model", tokenizer=tiny_pipeline.tokenizer
    )
    volume, _ = sample_case
    window = make_model_window(qtbot, volume, tmp_path)
    features = window.model_features
    assert features.open_model(str(checkpoint))
    wait_idle(qtbot, window)
    assert features.controller.pipeline is not None and features.controller.pipeline.trained
    assert features.controller.source == str(checkpoint)
    assert "trained" in features.model_line.text() and "UNTRAINED" not in features.model_line.text()
    features.controller.logits_processors = [scripted(features.controller.pipeline, REPORT)]
    assert features.generate_report()
    wait_idle(qtbot, window)
    assert window.report is not None and window.report.text == script_text(REPORT)
    assert f"checkpoint {checkpoint}" in window.report_panel.provenance_label.text()
    assert not window.report_panel.warning_label.isVisible()


def test_stopping_an_answer_keeps_its_text_marked_stopped(
    qtbot: QtBot, tmp_path: Path, sample_case: Case, tiny_pipeline: Any
) -> None:
    volume, _ = sample_case
    window = make_model_window(qtbot, volume, tmp_path, tiny_pipeline)
    features, chat = window.model_features, window.model_features.chat_panel
    long_answer = [*ANSWER[:4], *[" It is round and smooth."] * 60, "</s>"]
    pacer = Pacer(after=8, seconds=0.02)
    features.controller.logits_processors = [scripted(tiny_pipeline, long_answer), pacer]
    chat.ask("Describe the nodule.")
    qtbot.waitUntil(pacer.reached.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: "writing…" in chat.browser.toPlainText(), timeout=10_000)
    assert chat.stop_button.isEnabled() and not chat.send_button.isEnabled()
    chat.stop_button.click()
    wait_idle(qtbot, window)
    conversation = features.conversation
    assert conversation is not None and len(conversation.turns) == 2
    answer = conversation.turns[1]
    assert 0 < len(answer.content.text) < len(script_text(long_answer))
    assert script_text(long_answer).startswith(answer.content.text)
    assert answer.provenance is not None and "stopped before the end" in answer.provenance.note
    assert "stopped before the end" in chat.browser.toPlainText()
    assert chat.send_button.isEnabled()


def test_a_failing_generation_gives_an_error_dialog_and_marks_the_report_failed(
    qtbot: QtBot, tmp_path: Path, sample_case: Case, tiny_pipeline: Any
) -> None:
    volume, _ = sample_case
    window = make_model_window(qtbot, volume, tmp_path, tiny_pipeline)
    controller = window.model_features.controller

    def broken(generated: Any, logits: Any) -> Any:
        raise RuntimeError("shape mismatch in the language model")

    controller.logits_processors = [broken]
    assert window.model_features.generate_report()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: bool(dialogs("error_dialog")), timeout=10_000)
    dialog = dialogs("error_dialog")[0]
    assert dialog.windowTitle() == "The model failed"
    assert dialog.text() == "RuntimeError: shape mismatch in the language model"
    dialog.close()
    assert window.report is not None and window.report.status is ReportStatus.FAILED
    assert window.report_panel.status_label.text() == "Generation failed"
    assert window.action_registry.qaction("generate_report").isEnabled()
