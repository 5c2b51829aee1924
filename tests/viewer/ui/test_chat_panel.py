"""The chat panel on a real session: per-image history, linked answer phrases, hover, clicks.

The answers are written here as the model's features would store them (a conversation and
``session.add_chat_overlays``), so the panel is tested without running a model.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot
from shell_fixture import shown

from vividmed_viewer.core import (
    Box,
    BoxOverlay,
    GroundedReport,
    GroundedText,
    ImageVolume,
    Phrase,
    Role,
    Turn,
)
from vividmed_viewer.core.open_image import OverlayOrigin
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import PhraseSelected
from vividmed_viewer.ui.chat_panel import ChatPanel
from vividmed_viewer.ui.report_panel import ReportPanel

Case = tuple[ImageVolume, GroundedReport]
NODULE = "lung nodule"


def answer(session: Session, image_id: str, text: str, corner: int) -> BoxOverlay:
    """Ask and answer once: the answer names the nodule, boxed at ``corner`` (as the model's
    features store it: the turn in the conversation, the region in the session)."""
    image = session.image(image_id)
    box = BoxOverlay(
        NODULE, [Box((20, corner, corner), (30, corner + 8, corner + 8))], image.volume.geometry
    )
    start = text.index(NODULE)
    conversation = image.conversation
    conversation.ask("Where is the nodule?")
    conversation.overlays[box.overlay_id] = box
    phrase = Phrase(start, start + len(NODULE), NODULE, (box.overlay_id,))
    conversation.add_turn(Turn(Role.ASSISTANT, GroundedText(text, [phrase]), grounded=True))
    session.add_chat_overlays(image_id, [box])
    return box


def nth(panel: ChatPanel, text: str, occurrence: int) -> QTextCursor:
    """A cursor inside the ``occurrence``-th (0-based) ``text`` of the chat."""
    document, cursor = panel.browser.document(), QTextCursor(panel.browser.document())
    for _ in range(occurrence + 1):
        cursor = document.find(text, cursor)
        assert not cursor.isNull(), f"{text!r} #{occurrence} is not in the chat"
    inside = QTextCursor(document)
    inside.setPosition(cursor.selectionStart() + 1)
    return inside


def background(panel: ChatPanel, text: str, occurrence: int) -> tuple[int, int, int] | None:
    brush = nth(panel, text, occurrence).charFormat().background()
    if brush.style() == Qt.BrushStyle.NoBrush:
        return None
    return (brush.color().red(), brush.color().green(), brush.color().blue())


def click(qtbot: QtBot, panel: ChatPanel, text: str, occurrence: int) -> None:
    point: QPoint = panel.browser.cursorRect(nth(panel, text, occurrence)).center()
    qtbot.mouseClick(panel.browser.viewport(), Qt.MouseButton.LeftButton, pos=point)


def make_panels(qtbot: QtBot, case: Case) -> tuple[Session, ReportPanel, ChatPanel]:
    volume, report = case
    session = Session()
    image = session.open_image(volume, "phantom.nii.gz")
    session.set_report(image.image_id, report)
    report_panel = shown(qtbot, ReportPanel(session), (420, 500))
    return session, report_panel, shown(qtbot, ChatPanel(session), (420, 500))


def test_each_image_has_its_own_conversation(qtbot: QtBot, sample_case: Case) -> None:
    volume, _ = sample_case
    session = Session()
    chat = ChatPanel(session)
    qtbot.addWidget(chat)
    assert chat.conversation is None and not chat.input.isEnabled()
    assert "Open an image" in chat.browser.toPlainText()
    first = session.open_image(volume, "a.nii.gz")
    assert chat.conversation is first.conversation and chat.input.isEnabled()
    answer(session, first.image_id, "Yes, a lung nodule is seen.", 40)
    qtbot.waitUntil(
        lambda: "Yes, a lung nodule is seen." in chat.browser.toPlainText(), timeout=2000
    )
    second = session.open_image(volume, "b.nii.gz")
    assert chat.conversation is second.conversation
    assert "Is there a pleural effusion?" in chat.browser.toPlainText()  # suggestions again
    session.set_active(first.image_id)
    assert "Yes, a lung nodule is seen." in chat.browser.toPlainText()


def test_an_older_answers_phrase_goes_to_the_region_shown_now(
    qtbot: QtBot, sample_case: Case
) -> None:
    session, report_panel, chat = make_panels(qtbot, sample_case)
    image_id = session.active_id
    assert image_id is not None
    older = answer(session, image_id, "Yes, a lung nodule is seen.", 40)
    newer = answer(session, image_id, "The lung nodule is round.", 60)
    qtbot.waitUntil(lambda: "The lung nodule is round." in chat.browser.toPlainText(), timeout=2000)
    chat_regions = [
        i
        for i, s in session.image(image_id).shown.items()
        if s.overlay.target == NODULE and s.origin is OverlayOrigin.CHAT
    ]
    assert chat_regions == [newer.overlay_id]  # one chat row for the nodule
    selected: list[PhraseSelected] = []
    session.events.phrase_selected.connect(selected.append)
    click(qtbot, chat, NODULE, 0)  # the first answer's phrase
    assert selected == [PhraseSelected(image_id, NODULE, (newer.overlay_id,))]
    assert chat.selected == ("chat:1", 0)
    assert chat.selection_label.text().startswith("lung nodule: ")
    assert report_panel.selected_index is None  # not the report's nodule phrase
    assert older.overlay_id not in session.image(image_id).shown


def test_hovering_a_region_lights_up_its_phrase_in_whichever_panel_has_it(
    qtbot: QtBot, sample_case: Case
) -> None:
    _, report = sample_case
    session, report_panel, chat = make_panels(qtbot, sample_case)
    image_id = session.active_id
    assert image_id is not None
    answer(session, image_id, "Yes, a lung nodule is seen.", 40)
    newer = answer(session, image_id, "The lung nodule is round.", 60)
    qtbot.waitUntil(lambda: "The lung nodule is round." in chat.browser.toPlainText(), timeout=2000)
    session.set_hovered(image_id, newer.overlay_id)
    assert background(chat, NODULE, 1) == newer.colour  # the newest answer's phrase
    assert background(chat, NODULE, 0) is None
    assert report_panel.hovered_index is None
    session.set_hovered(image_id, "gt-lung-nodule")  # the report's nodule box
    assert background(chat, NODULE, 1) is None
    assert report_panel.hovered_index == next(
        i for i, p in enumerate(report.phrases) if p.target == NODULE
    )
    session.set_hovered(image_id, None)
    assert report_panel.hovered_index is None and chat.hovered is None


def test_a_deleted_panel_stops_listening_to_the_session(qtbot: QtBot, sample_case: Case) -> None:
    volume, report = sample_case
    session = Session()
    image = session.open_image(volume, "phantom.nii.gz")
    session.set_report(image.image_id, report)
    listeners = len(session.events.hover), len(report.changed)
    panels = [ReportPanel(session), ChatPanel(session)]
    assert len(session.events.hover) == listeners[0] + 2
    for panel in panels:
        panel.deleteLater()
    qtbot.waitUntil(lambda: len(session.events.hover) == listeners[0], timeout=2000)
    assert len(report.changed) == listeners[1]
    session.set_hovered(image.image_id, "gt-heart")  # no call into a deleted widget
    report.append_text(" More.")
