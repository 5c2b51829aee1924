"""Overlay list: per region of the active image a visibility box, a colour and an opacity.

It shows the session's overlays and their styles (:mod:`vividmed_viewer.core.session`)
and writes every change back with ``session.set_style``; it keeps no style of its own, so
a choice survives regions arriving later. Rows sit in a scroll area: a long list scrolls
instead of pushing the docks next to it to a few lines.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from vividmed_viewer.core.open_image import ShownOverlay
from vividmed_viewer.core.overlay_style import OverlayStyle
from vividmed_viewer.core.overlays import BoxOverlay, Colour
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import (
    ActiveImageChanged,
    OverlaysChanged,
    StyleChanged,
)

logger = logging.getLogger(__name__)


class OverlayRow:
    """The controls of one overlay (held by :class:`OverlayList`)."""

    def __init__(self, shown: ShownOverlay, parent: QWidget) -> None:
        overlay = shown.overlay
        self.overlay_id = overlay.overlay_id
        kind = "boxes" if isinstance(overlay, BoxOverlay) else "mask"
        origin = "" if shown.origin.value == "report" else f", {shown.origin.value}"
        self.checkbox = QCheckBox(f"{overlay.target} ({kind}{origin})", parent)
        self.colour_button = QPushButton(parent)
        self.colour_button.setFixedWidth(36)
        self.colour_button.setToolTip("Change colour")
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, parent)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setToolTip("Opacity")
        self.show_style(shown.style)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.checkbox, self.colour_button, self.opacity_slider)

    def show_style(self, style: OverlayStyle) -> None:
        """Show ``style`` without announcing it back (the session already has it)."""
        self.colour = style.colour
        with QSignalBlocker(self.checkbox), QSignalBlocker(self.opacity_slider):
            self.checkbox.setChecked(style.visible)
            self.opacity_slider.setValue(round(style.opacity * 100))
        red, green, blue = style.colour
        self.colour_button.setStyleSheet(
            f"background-color: rgb({red},{green},{blue}); border: 1px solid #888;"
        )

    @property
    def opacity(self) -> float:
        return self.opacity_slider.value() / 100.0


class OverlayList(QWidget):
    """Lists the active image's overlays; edits go to the session."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: dict[str, OverlayRow] = {}
        self._content = QWidget()
        self._grid = QGridLayout(self._content)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._empty = QLabel("No overlays")
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self._empty)
        layout.addWidget(scroll, 1)
        events = session.events
        events.active_image.connect(self._on_active_image)
        events.overlays.connect(self._on_overlays)
        events.style.connect(self._on_style)
        self._rebuild()

    # ----- from the session -------------------------------------------------------------------
    def _on_active_image(self, _event: ActiveImageChanged) -> None:
        self._rebuild()

    def _on_overlays(self, event: OverlaysChanged) -> None:
        if event.image_id == self.session.active_id:
            self._rebuild()

    def _on_style(self, event: StyleChanged) -> None:
        row = self.rows.get(event.overlay_id)
        if event.image_id == self.session.active_id and row is not None:
            row.show_style(event.style)

    def _rebuild(self) -> None:
        """One row per shown overlay, in the session's order; kept rows are reused."""
        image = self.session.active
        shown = image.shown if image is not None else {}
        for overlay_id in [i for i in self.rows if i not in shown]:
            for widget in self.rows.pop(overlay_id).widgets():
                self._grid.removeWidget(widget)
                widget.deleteLater()
        for number, (overlay_id, item) in enumerate(shown.items()):
            row = self.rows.get(overlay_id)
            if row is None:
                row = self.rows[overlay_id] = self._new_row(item)
            for column, widget in enumerate(row.widgets()):
                self._grid.addWidget(widget, number, column)
        self._empty.setVisible(not self.rows)

    def _new_row(self, item: ShownOverlay) -> OverlayRow:
        row = OverlayRow(item, self._content)
        oid = item.overlay.overlay_id
        row.checkbox.toggled.connect(lambda on, o=oid: self._change(o, visible=bool(on)))
        row.opacity_slider.valueChanged.connect(
            lambda value, o=oid: self._change(o, opacity=value / 100.0)
        )
        row.colour_button.clicked.connect(lambda _=False, o=oid: self.choose_colour(o))
        return row

    # ----- to the session ---------------------------------------------------------------------
    def set_colour(self, overlay_id: str, colour: Colour) -> None:
        self._change(overlay_id, colour=colour)

    def choose_colour(self, overlay_id: str) -> None:
        row = self.rows[overlay_id]
        chosen = QColorDialog.getColor(QColor(*row.colour), self, "Overlay colour")
        if chosen.isValid():
            self.set_colour(overlay_id, (chosen.red(), chosen.green(), chosen.blue()))

    def _change(self, overlay_id: str, **style: object) -> None:
        image_id = self.session.active_id
        if image_id is None:
            return
        logger.debug("overlay %s style %s", overlay_id, style)
        self.session.set_style(image_id, overlay_id, **style)  # type: ignore[arg-type]
