"""``PhrasePanel``: what the report and chat panels share about grounded text in a session.

A phrase panel shows grounded texts of the active image (the report's body; each chat
answer) and follows the session for them: it shows the active image's texts
(``events.active_image``, ``events.report``; growth through the shown object's own
``changed``), lights up the phrase of a hovered region (``events.hover``), marks the
selected phrase and writes its regions' sizes from ``events.phrase_selected``, and
redraws phrase colours when a region or its style changes. A click on a phrase calls
``session.select_phrase``. Subclasses say which texts they show and how to lay them out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from vividmed_viewer.core import GroundedText, Phrase, Taxonomy, default_taxonomy
from vividmed_viewer.core.open_image import OpenImage
from vividmed_viewer.core.overlays import Colour, Overlay
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import (
    ActiveImageChanged,
    HoverChanged,
    OverlaysChanged,
    PhraseSelected,
    ReportChanged,
    StyleChanged,
)
from vividmed_viewer.ui.report_html import (
    describe_selection,
    grounded_html,
    phrase_colour,
    shown_ids,
)
from vividmed_viewer.ui.session_subscriptions import subscribe

PhraseKey = tuple[str, int]  # (which text: "report", a turn number, "pending"; phrase index)
ShownText = tuple[str, GroundedText, Mapping[str, Overlay]]  # (name, text, its overlays)
PhraseTest = Callable[[Phrase, tuple[str, ...]], bool]  # (phrase, the shown ids it stands for)


class PhrasePanel(QWidget):
    """Base of the panels that show the active image's grounded text."""

    phrase_activated = Signal(object)  # the clicked Phrase
    _changed = Signal()  # queued when the followed text changes on another thread

    def __init__(
        self, session: Session, parent: QWidget | None = None, taxonomy: Taxonomy | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.taxonomy = taxonomy or default_taxonomy()
        self.image_id: str | None = None
        self.followed: Any = None  # the report or conversation shown (has ``changed``)
        self.hovered: PhraseKey | None = None
        self.selected: PhraseKey | None = None
        self._clicked: PhraseKey | None = None  # the phrase this panel is selecting right now
        self.selection_label = QLabel()
        self.selection_label.setWordWrap(True)
        # Bursts of changes (streamed tokens) are drawn once per event-loop pass.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._changed.connect(self._refresh_timer.start)
        events = session.events
        subscribe(
            self,
            [
                (events.active_image, self._on_active_image),
                (events.report, self._on_report),
                (events.hover, self._on_hover),
                (events.phrase_selected, self._on_phrase_selected),
                (events.overlays, self._on_regions),
                (events.style, self._on_regions),
            ],
        )
        self.destroyed.connect(lambda *_: self._unfollow())

    # --- what a subclass provides -------------------------------------------------------
    def followed_of(self, image: OpenImage | None) -> Any:
        """The object shown for ``image`` (it has a ``changed`` emitter), or None."""
        raise NotImplementedError

    def texts(self) -> list[ShownText]:
        """The grounded texts shown, in reading order."""
        raise NotImplementedError

    def shown_changed(self) -> None:
        """Another image's (or a new) object is shown: reset what depends on it."""

    def refresh(self) -> None:
        raise NotImplementedError

    # --- following the session ----------------------------------------------------------
    @property
    def image(self) -> OpenImage | None:
        return self.session.images.get(self.image_id) if self.image_id is not None else None

    def show_image(self, image_id: str | None) -> None:
        """Show what belongs to ``image_id`` (None: no image) and follow its changes."""
        image = self.session.images.get(image_id) if image_id is not None else None
        followed = self.followed_of(image)
        if image_id == self.image_id and followed is self.followed:
            return
        self._unfollow()
        self.image_id, self.followed = image_id, followed
        self.hovered = self.selected = None
        self.selection_label.clear()
        if followed is not None:
            followed.changed.connect(self.schedule_refresh)
        self.shown_changed()

    def _unfollow(self) -> None:
        if self.followed is not None:
            self.followed.changed.disconnect(self.schedule_refresh)

    def schedule_refresh(self, *_args: object) -> None:
        # May come from a worker thread while text streams in; the signal queues it.
        self._changed.emit()

    def _on_active_image(self, event: ActiveImageChanged) -> None:
        self.show_image(event.image_id)

    def _on_report(self, event: ReportChanged) -> None:
        if event.image_id == self.image_id:
            self.show_image(event.image_id)

    def _on_regions(self, event: OverlaysChanged | StyleChanged) -> None:
        if event.image_id == self.image_id:
            self.schedule_refresh()  # a phrase's colour follows its region's style

    # --- hover and selection ------------------------------------------------------------
    def _find(self, image: OpenImage, wanted: PhraseTest) -> PhraseKey | None:
        """The first phrase of the last text for which ``wanted(phrase, shown ids)`` holds."""
        found = None
        for name, body, _ in self.texts():
            index = next(
                (i for i, p in enumerate(body.phrases) if wanted(p, shown_ids(image, p))), None
            )
            found = (name, index) if index is not None else found
        return found

    def _on_hover(self, event: HoverChanged) -> None:
        image = self.image
        if event.image_id != self.image_id or image is None:
            return
        hovered = None
        if event.overlay_id is not None:
            hovered = self._find(image, lambda _phrase, ids: event.overlay_id in ids)
        if hovered != self.hovered:
            self.hovered = hovered
            self.refresh()

    def _on_phrase_selected(self, event: PhraseSelected) -> None:
        image = self.image
        if event.image_id != self.image_id or image is None:
            return
        self.selected = self._clicked
        if self.selected is None and event.overlay_ids:  # selected elsewhere: is it ours?
            self.selected = self._find(
                image,
                lambda phrase, ids: phrase.target == event.target and ids == event.overlay_ids,
            )
        if self.selected is None:
            self.selection_label.clear()
        else:
            overlays = [image.shown[i].overlay for i in event.overlay_ids if i in image.shown]
            self.selection_label.setText(describe_selection(event.target, overlays))
        self.refresh()

    def activate(self, name: str, index: int) -> bool:
        """What a click on phrase ``index`` of text ``name`` does: select it in the session."""
        body = next((b for n, b, _ in self.texts() if n == name), None)
        if body is None or self.image_id is None or not 0 <= index < len(body.phrases):
            return False
        phrase = body.phrases[index]
        self._clicked = (name, index)
        try:
            self.session.select_phrase(self.image_id, phrase)
        finally:
            self._clicked = None
        self.phrase_activated.emit(phrase)
        return True

    # --- display ------------------------------------------------------------------------
    def text_html(self, name: str, body: GroundedText, overlays: Mapping[str, Overlay]) -> str:
        """``body`` as rich text: links ``<name>:<index>``, lit and marked as the session says."""
        image = self.image

        def colour_of(phrase: Phrase) -> Colour:
            return phrase_colour(phrase, image, overlays, self.taxonomy)

        def index_in(key: PhraseKey | None) -> int | None:
            return key[1] if key is not None and key[0] == name else None

        return grounded_html(
            body,
            colour_of,
            link_prefix=f"{name}:",
            hovered=index_in(self.hovered),
            selected=index_in(self.selected),
        )
