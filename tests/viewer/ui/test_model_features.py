"""The model's part of the app: generate (streamed, linked), stop, chat, load errors, OOM → CPU.

Tested with the minimal shell (``shell_fixture``) and a real session. The tiny config runs
real forward passes and localization with untrained weights; scripted decoding
(``inference.forcing``) makes it write known phrases so links can be checked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import torch
from model_window import ANSWER, REPORT, ModelShell, dialogs, make_model_window, wait_idle
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

import vividmed_viewer.ui as ui_package
from vividmed_viewer.core import Conversation, GroundedReport, ImageVolume, ReportStatus, Role
from vividmed_viewer.core.open_image import OverlayOrigin
from vividmed_viewer.core.session_events import OverlaysChanged, PhraseSelected
from vividmed_viewer.inference.forcing import Pacer, script_text, scripted

Case = tuple[ImageVolume, GroundedReport]
OTHER_ANSWER = ["The", "<p>", " lung nodule", "</p>", " is in the", "<p>", " right lung", "</p>", ".", "</s>"]  # fmt: skip


LONG_REPORT = [*REPORT[:4], *[" The lungs are clear."] * 60, "</s>"]


@pytest.fixture()
def window(qtbot: QtBot, tmp_path: Path, sample_case: Case, tiny_pipeline: Any) -> ModelShell:
    """The shell with the phantom open and the tiny model loaded."""
    return make_model_window(qtbot, sample_case[0], tmp_path, tiny_pipeline)


def start_long_report(qtbot: QtBot, window: ModelShell, pipeline: Any) -> None:
    """Start a report that takes a while (paced), once the model is writing it."""
    pacer = Pacer(after=12, seconds=0.02)
    window.model_features.controller.logits_processors = [scripted(pipeline, LONG_REPORT), pacer]
    assert window.model_features.generate_report()
    qtbot.waitUntil(pacer.reached.is_set, timeout=30_000)


def chat_rows(window: ModelShell) -> list[str]:
    """The targets of the chat regions the active image shows (one row each in the list)."""
    shown = window.image.shown.values()
    return [s.overlay.target for s in shown if s.origin is OverlayOrigin.CHAT]


def test_generate_streams_text_then_linked_phrases_and_overlays(
    qtbot: QtBot, window: ModelShell, tiny_pipeline: Any, phrases: Any
) -> None:
    features, session = window.model_features, window.session
    features.controller.logits_processors = [scripted(tiny_pipeline, REPORT)]
    seen: list[tuple[int, int, int]] = []  # (text length, phrases, shown overlays) per phrase
    features.controller.report_regions_changed.connect(
        lambda report: seen.append((len(report.text), len(report.phrases), len(window.image.shown)))
    )
    added: list[OverlaysChanged] = []
    session.events.overlays.connect(added.append)
    shortcut = window.action_registry.qaction("generate_report").shortcut()
    assert shortcut == QKeySequence("Ctrl+G")
    window.action_registry.qaction("generate_report").trigger()
    assert window.action_registry.qaction("stop_generation").isEnabled()
    assert window.busy == "Model working…"
    wait_idle(qtbot, window)
    assert window.busy is None

    report = window.report
    assert report is not None and report.status is ReportStatus.COMPLETE
    assert report.text == script_text(REPORT)
    assert [report.body.phrase_text(p) for p in report.phrases] == [
        "left lung",
        "lung nodule",
        "right lung",
    ]
    # Each phrase arrived once its own text had streamed, before the rest of the report,
    # and the session showed its regions as it arrived.
    assert [count for _, count, _ in seen] == [1, 2, 3]
    for (length, _, shown), phrase in zip(seen, report.phrases, strict=True):
        assert phrase.end <= length < len(report.text)
        assert shown >= 1
    assert [s for _, _, s in seen] == sorted(s for _, _, s in seen)
    # Every phrase is a link to overlays the session shows (each added once).
    html = window.report_panel.browser.toHtml()
    assert sorted(set(re.findall(r'href="phrase:(\d+)"', html))) == ["0", "1", "2"]
    image = session.active
    assert image is not None
    for phrase in report.phrases:
        assert phrase.overlay_ids and set(phrase.overlay_ids) <= set(report.overlays)
    assert set(image.shown) == set(report.overlays)
    assert sorted(i for e in added for i in e.added) == sorted(report.overlays)
    selected: list[PhraseSelected] = []
    session.events.phrase_selected.connect(selected.append)
    phrases.click(qtbot, window.report_panel, 0)  # a click selects it: views go to its region
    assert selected == [PhraseSelected(image.image_id, "left lung", report.phrases[0].overlay_ids)]
    assert window.report_panel.selected_index == 0
    assert window.report_panel.selection_label.text().startswith("left lung: volume")
    # The header names the model and its settings and says the weights are untrained.
    header = window.report_panel.provenance_label.text()
    assert "VividMed (tiny)" in header and "max_new_tokens=256" in header
    assert "none (built from config 'tiny')" in header
    assert window.report_panel.warning_label.isVisible()
    assert "UNTRAINED" in window.report_panel.warning_label.text()


def test_stop_keeps_the_partial_report_and_the_window_stays_usable(
    qtbot: QtBot, window: ModelShell, tiny_pipeline: Any
) -> None:
    controller = window.model_features.controller
    start_long_report(qtbot, window, tiny_pipeline)
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
    assert script_text(LONG_REPORT).startswith(report.text)
    assert 0 < len(report.text) < len(script_text(LONG_REPORT))
    assert window.report_panel.status_label.text() == "Stopped before the end"
    assert [report.body.phrase_text(p) for p in report.phrases] == ["left lung"]
    # Usable afterwards: a new report runs to the end and replaces the partial one.
    controller.logits_processors = [scripted(tiny_pipeline, REPORT)]
    assert window.model_features.generate_report()
    wait_idle(qtbot, window)
    assert window.report is not None and window.report.status is ReportStatus.COMPLETE
    image = window.session.active
    assert image is not None and set(image.shown) == set(window.report.overlays)


def test_showing_another_image_stops_its_report_and_keeps_it_with_its_image(
    qtbot: QtBot, tmp_path: Path, window: ModelShell, tiny_pipeline: Any
) -> None:
    first = window.session.active
    assert first is not None
    other = window.open(window.volume, tmp_path / "b.nii.gz")
    window.session.set_active(first.image_id)
    start_long_report(qtbot, window, tiny_pipeline)
    window.session.set_active(other.image_id)
    wait_idle(qtbot, window)
    assert window.report is None and window.report_panel.report is None
    assert first.report is not None and first.report.status is ReportStatus.STOPPED
    window.session.set_active(first.image_id)
    assert window.report_panel.report is first.report
    assert window.report_panel.status_label.text() == "Stopped before the end"


def test_chat_question_is_answered_with_a_clickable_phrase_and_history_per_image(
    qtbot: QtBot, tmp_path: Path, window: ModelShell, tiny_pipeline: Any
) -> None:
    features, chat, session = (
        window.model_features,
        window.model_features.chat_panel,
        window.session,
    )
    features.controller.logits_processors = [scripted(tiny_pipeline, ANSWER)]
    assert "Is there a pleural effusion?" in chat.browser.toPlainText()  # suggestions
    qtbot.keyClicks(chat.input, "Is there a nodule?")
    qtbot.keyClick(chat.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(chat.input, "Where?")
    assert chat.input.toPlainText() == "Is there a nodule?\nWhere?"  # Shift+Enter: new line
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    assert chat.input.toPlainText() == ""
    wait_idle(qtbot, window)

    image = session.active
    assert image is not None
    conversation = features.conversation
    assert conversation is image.conversation
    assert [t.role for t in conversation.turns] == [Role.USER, Role.ASSISTANT]
    assert conversation.turns[0].content.text == "Is there a nodule?\nWhere?"
    answer = conversation.turns[1].content
    assert answer.text == script_text(ANSWER)
    assert [answer.phrase_text(p) for p in answer.phrases] == ["lung nodule"]
    assert set(answer.phrases[0].overlay_ids) <= set(conversation.overlays)
    qtbot.waitUntil(lambda: 'href="chat:1:0"' in chat.browser.toHtml(), timeout=2000)
    assert "untrained" in chat.model_label.text()
    selected: list[PhraseSelected] = []
    session.events.phrase_selected.connect(selected.append)
    chat.activate_phrase("1", 0)
    assert selected[0].overlay_ids == answer.phrases[0].overlay_ids
    assert set(answer.phrases[0].overlay_ids) <= set(image.shown)
    assert chat.selection_label.text().startswith("lung nodule: ")
    assert chat_rows(window) == ["lung nodule"] * len(answer.phrases[0].overlay_ids)

    # Another image has its own (empty) history; the first image's comes back.
    other = window.open(window.volume, tmp_path / "b.nii.gz")
    assert features.conversation is other.conversation and other.conversation.turns == []
    assert "Is there a nodule?" not in chat.browser.toPlainText()
    session.set_active(image.image_id)
    assert features.conversation is conversation and len(conversation.turns) == 2
    assert "Is there a nodule?" in chat.browser.toPlainText()
    chat.clear_button.click()
    assert conversation.turns == [] and conversation.overlays == {}
    assert chat_rows(window) == []


def test_asking_again_keeps_one_region_per_target_and_older_phrases_still_point_at_it(
    qtbot: QtBot, window: ModelShell, tiny_pipeline: Any
) -> None:
    """Three questions about the nodule: one nodule row, not three (the old 23-row list)."""
    features, session = window.model_features, window.session
    image = session.active
    assert image is not None
    for script in (ANSWER, OTHER_ANSWER, ANSWER):
        features.controller.logits_processors = [scripted(tiny_pipeline, script)]
        assert features.ask("Where is the nodule?")
        wait_idle(qtbot, window)
    conversation = image.conversation
    assert len(conversation.turns) == 6
    rows = chat_rows(window)
    assert len(rows) == len(set(rows)) and set(rows) == {"lung nodule", "right lung"}
    # The first answer's nodule phrase goes to the nodule region shown now.
    newest = conversation.turns[5].content.phrases[0]
    first = conversation.turns[1].content.phrases[0]
    assert first.overlay_ids != newest.overlay_ids
    event = session.select_phrase(image.image_id, first)
    assert event.overlay_ids == newest.overlay_ids


def test_stored_answers_seed_the_chat_and_show_their_regions(
    qtbot: QtBot, tmp_path: Path, window: ModelShell, tiny_pipeline: Any
) -> None:
    features = window.model_features
    features.controller.logits_processors = [scripted(tiny_pipeline, ANSWER)]
    features.ask("Is there a nodule?")
    wait_idle(qtbot, window)
    stored = Conversation.from_dict(window.image.conversation.to_dict())  # a bundle's answers

    other = window.open(window.volume, tmp_path / "b.nii.gz")
    features.seed_answers(other.image_id, stored)
    assert [t.content.text for t in other.conversation.turns] == [
        "Is there a nodule?",
        script_text(ANSWER),
    ]
    qtbot.waitUntil(
        lambda: "Is there a nodule?" in features.chat_panel.browser.toPlainText(), timeout=2000
    )
    linked = stored.turns[1].content.phrases[0].overlay_ids
    assert set(linked) <= set(other.shown)
    features.seed_answers(other.image_id, Conversation())  # an asked chat is not replaced
    features.seed_answers(other.image_id, stored)
    assert len(other.conversation.turns) == 2


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
    assert window.busy == "Model working…"
    wait_idle(qtbot, window)
    assert features.controller.pipeline is not None
    assert "VividMed (tiny)" in features.model_line.text()
    assert "UNTRAINED" in features.model_line.text()
    assert window.report is not None and window.report.status is not ReportStatus.STREAMING


def test_out_of_gpu_memory_offers_the_cpu_and_retries(
    qtbot: QtBot, window: ModelShell, tiny_pipeline: Any
) -> None:
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
    qtbot: QtBot, window: ModelShell, tiny_pipeline: Any
) -> None:
    features, chat = window.model_features, window.model_features.chat_panel
    long_answer = [*ANSWER[:4], *[" It is round and smooth."] * 60, "</s>"]
    pacer = Pacer(after=8, seconds=0.02)
    features.controller.logits_processors = [scripted(tiny_pipeline, long_answer), pacer]
    chat.ask("Describe the nodule.")
    qtbot.waitUntil(pacer.reached.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: "writing…" in chat.browser.toPlainText(), timeout=10_000)
    assert chat.stop_button.isEnabled() and not chat.send_button.isEnabled()
    qtbot.waitUntil(lambda: chat_rows(window) == ["lung nodule"], timeout=10_000)  # streamed
    chat.stop_button.click()
    wait_idle(qtbot, window)
    conversation = features.conversation
    assert conversation is not None and len(conversation.turns) == 2
    answer = conversation.turns[1]
    assert 0 < len(answer.content.text) < len(script_text(long_answer))
    assert script_text(long_answer).startswith(answer.content.text)
    assert answer.provenance is not None and "stopped before the end" in answer.provenance.note
    qtbot.waitUntil(lambda: "stopped before the end" in chat.browser.toPlainText(), timeout=2000)
    assert chat.send_button.isEnabled()
    assert chat_rows(window) == ["lung nodule"]


def test_a_failing_generation_gives_an_error_dialog_and_marks_the_report_failed(
    qtbot: QtBot, window: ModelShell, tiny_pipeline: Any
) -> None:
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
    assert window.errors == [("The model failed", dialog.text())]
    assert window.report is not None and window.report.status is ReportStatus.FAILED
    assert window.report_panel.status_label.text() == "Generation failed"
    assert window.action_registry.qaction("generate_report").isEnabled()


def test_the_model_modules_never_import_the_main_window() -> None:
    """Features get the session and a Shell; importing main_window (even for typing) is a cycle."""
    folder = Path(ui_package.__file__).parent
    for name in ("model_features", "model_menu", "chat_panel", "report_panel", "report_html"):
        tree = ast.parse((folder / f"{name}.py").read_text())
        imported = {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not any("main_window" in module for module in imported), name
