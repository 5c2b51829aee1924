"""Help dialog listing every action of the registry; the Keys column can be edited."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vividmed_viewer.core.errors import ValidationError
from vividmed_viewer.ui.actions import ActionRegistry

logger = logging.getLogger(__name__)

COLUMNS = ("Action", "Keys", "Description")
KEYS_COLUMN = 1


class ShortcutsDialog(QDialog):
    """A table of actions (label, keys, description); double-click keys to rebind."""

    def __init__(self, registry: ActionRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(640, 480)
        self._registry = registry
        self._filling = False
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._on_item_changed)
        self.message = QLabel("Double-click a Keys cell to change it; separate keys with commas.")
        self.message.setWordWrap(True)
        reset = QPushButton("Reset selected to default")
        reset.clicked.connect(self._reset_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addWidget(reset)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        """Fill the table from the registry."""
        self._filling = True
        specs = self._registry.specs
        self.table.setRowCount(len(specs))
        for row, spec in enumerate(specs):
            label = QTableWidgetItem(spec.label.rstrip("…"))
            label.setData(Qt.ItemDataRole.UserRole, spec.action_id)
            label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
            keys = QTableWidgetItem(", ".join(self._registry.keys(spec.action_id)))
            description = QTableWidgetItem(spec.description)
            description.setFlags(description.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, label)
            self.table.setItem(row, KEYS_COLUMN, keys)
            self.table.setItem(row, 2, description)
        self.table.resizeColumnsToContents()
        self._filling = False

    def action_id_at(self, row: int) -> str:
        item = self.table.item(row, 0)
        assert item is not None
        return str(item.data(Qt.ItemDataRole.UserRole))

    def set_keys_text(self, row: int, text: str) -> None:
        """Edit the Keys cell of a row as a user would (used by the table's editor)."""
        item = self.table.item(row, KEYS_COLUMN)
        assert item is not None
        item.setText(text)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != KEYS_COLUMN:
            return
        action_id = self.action_id_at(item.row())
        keys = [k for k in item.text().split(",") if k.strip()]
        try:
            self._registry.set_keys(action_id, keys)
        except ValidationError as error:
            logger.warning("cannot rebind %s: %s", action_id, error)
            self.message.setText(f"Not changed: {error}")
        else:
            self.message.setText(f"Saved keys of '{self._registry.spec(action_id).label}'.")
        self.refresh()

    def _reset_selected(self) -> None:
        for row in sorted({index.row() for index in self.table.selectedIndexes()}):
            self._registry.reset_keys(self.action_id_at(row))
        self.refresh()
