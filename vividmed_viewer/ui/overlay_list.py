"""Overlay list: per region a visibility checkbox, a colour button and an opacity slider."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from vividmed_viewer.core import BoxOverlay
from vividmed_viewer.core.overlays import Colour, Overlay

logger = logging.getLogger(__name__)

DEFAULT_OPACITY = 0.5


class OverlayRow:
    """The controls of one overlay (held by :class:`OverlayList`)."""

    def __init__(self, overlay: Overlay, parent: QWidget) -> None:
        self.overlay_id = overlay.overlay_id
        kind = "boxes" if isinstance(overlay, BoxOverlay) else "mask"
        self.checkbox = QCheckBox(f"{overlay.target} ({kind})", parent)
        self.checkbox.setChecked(True)
        self.colour_button = QPushButton(parent)
        self.colour_button.setFixedWidth(36)
        self.colour_button.setToolTip("Change colour")
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, parent)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(round(DEFAULT_OPACITY * 100))
        self.opacity_slider.setToolTip("Opacity")
        self.colour: Colour = overlay.colour
        self.show_colour()

    def show_colour(self) -> None:
        red, green, blue = self.colour
        self.colour_button.setStyleSheet(
            f"background-color: rgb({red},{green},{blue}); border: 1px solid #888;"
        )

    @property
    def opacity(self) -> float:
        return self.opacity_slider.value() / 100.0


class OverlayList(QWidget):
    """Lists overlays; every change is announced by ``style_changed`` (id, keyword arguments)."""

    style_changed = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, OverlayRow] = {}
        self._grid = QGridLayout()
        self._empty = QLabel("No overlays")
        layout = QVBoxLayout(self)
        layout.addWidget(self._empty)
        layout.addLayout(self._grid)
        layout.addStretch(1)

    def set_overlays(self, overlays: Iterable[Overlay]) -> None:
        """Replace the list (one row per overlay, all visible)."""
        for row in self.rows.values():
            for widget in (row.checkbox, row.colour_button, row.opacity_slider):
                self._grid.removeWidget(widget)
                widget.deleteLater()
        self.rows.clear()
        for number, overlay in enumerate(overlays):
            row = OverlayRow(overlay, self)
            self._grid.addWidget(row.checkbox, number, 0)
            self._grid.addWidget(row.colour_button, number, 1)
            self._grid.addWidget(row.opacity_slider, number, 2)
            oid = overlay.overlay_id
            row.checkbox.toggled.connect(lambda on, o=oid: self._emit(o, visible=bool(on)))
            row.opacity_slider.valueChanged.connect(
                lambda value, o=oid: self._emit(o, opacity=value / 100.0)
            )
            row.colour_button.clicked.connect(lambda _=False, o=oid: self.choose_colour(o))
            self.rows[oid] = row
        self._empty.setVisible(not self.rows)

    def set_colour(self, overlay_id: str, colour: Colour) -> None:
        row = self.rows[overlay_id]
        row.colour = colour
        row.show_colour()
        self._emit(overlay_id, colour=colour)

    def choose_colour(self, overlay_id: str) -> None:
        row = self.rows[overlay_id]
        chosen = QColorDialog.getColor(QColor(*row.colour), self, "Overlay colour")
        if chosen.isValid():
            self.set_colour(overlay_id, (chosen.red(), chosen.green(), chosen.blue()))

    def _emit(self, overlay_id: str, **style: object) -> None:
        logger.debug("overlay %s style %s", overlay_id, style)
        self.style_changed.emit(overlay_id, style)
