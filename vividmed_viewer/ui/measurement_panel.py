"""``MeasurementPanel``: the active image's measurements, each with its kind, value and label.

The label is edited in place (double-click or F2); Delete (or the Delete button) removes
the selected measurement; selecting a row takes the views to it: the crosshair to its
centre and each slice view to its slice, through the session. The panel keeps no copy of
the measurements: it redraws its rows from the session's events.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vividmed_viewer.core.measurement_values import measure
from vividmed_viewer.core.measurements import KIND_LABELS, Measurement
from vividmed_viewer.core.open_image import OpenImage
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import Change, MeasurementsChanged
from vividmed_viewer.render.slice_geometry import ORIENTATIONS, slice_axes
from vividmed_viewer.ui.session_subscriptions import subscribe

KIND_COLUMN, VALUE_COLUMN, LABEL_COLUMN = 0, 1, 2
ID_ROLE = Qt.ItemDataRole.UserRole


def go_to_measurement(session: Session, image_id: str, measurement: Measurement) -> None:
    """Take the views to a measurement: crosshair at its centre, each view to its slice."""
    volume = session.image(image_id).volume
    centre = measurement.centre()
    patient = volume.index_to_patient(centre)
    session.set_crosshair(image_id, (float(patient[0]), float(patient[1]), float(patient[2])))
    geometry = volume.geometry
    for view_name in ORIENTATIONS:
        axis = slice_axes(geometry, view_name).slice_axis
        index = measurement.slice_index if axis == measurement.axis else round(centre[axis])
        session.set_slice(image_id, view_name, int(min(max(index, 0), volume.shape[axis] - 1)))


class MeasurementPanel(QWidget):
    """A table of the active image's measurements with a Delete button."""

    highlighted = Signal(object)  # the selected measurement's id, or None

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.image_id: str | None = None
        self._quiet = False  # selecting rows from code: the views stay where they are
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("measurement_table")
        self.table.setHorizontalHeaderLabels(["Kind", "Value", "Label"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(VALUE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(KIND_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QLabel("No measurements. Choose a tool in the Measure menu.", self)
        self.empty_label.setWordWrap(True)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("delete_measurement")
        self.delete_button.setToolTip("Delete the selected measurement (Delete)")
        self.delete_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.installEventFilter(self)  # Delete / Backspace on the table (not its editor)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellClicked.connect(self._row_clicked)  # again on the selected row: go again
        events = session.events
        subscribe(
            self,
            [
                (events.measurements, self._measurements_changed),
                (events.active_image, self._image_changed),
                (events.images, self._image_changed),
            ],
        )
        self.refresh()

    # ----- reading -------------------------------------------------------------------------
    @property
    def rows(self) -> list[str]:
        """The measurement ids listed, top to bottom."""
        items = (self.table.item(r, KIND_COLUMN) for r in range(self.table.rowCount()))
        return [str(item.data(ID_ROLE)) for item in items if item is not None]

    @property
    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _image(self) -> OpenImage | None:
        return self.session.images.get(self.image_id) if self.image_id is not None else None

    # ----- updating from the session -------------------------------------------------------
    def _image_changed(self, _event: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        """List the active image's measurements again (the selection kept where it can be)."""
        selected = self.selected_id
        self.image_id = self.session.active_id
        image = self._image()
        measurements = list(image.measurements.values()) if image is not None else []
        self.table.blockSignals(True)
        self.table.setRowCount(len(measurements))
        for row, measurement in enumerate(measurements):
            self._fill_row(row, measurement)
        self.table.blockSignals(False)
        self.empty_label.setVisible(not measurements)
        self._select_quietly(selected)

    def _select_quietly(self, measurement_id: str | None) -> None:
        """Select a row (or none) without taking the views to it."""
        self._quiet = True
        try:
            if measurement_id is not None and measurement_id in self.rows:
                self.table.selectRow(self.rows.index(measurement_id))
            else:
                self.table.clearSelection()
            self._selection_changed()  # the button and the highlight follow even so
        finally:
            self._quiet = False

    def _fill_row(self, row: int, measurement: Measurement) -> None:
        image = self._image()
        assert image is not None
        values = measure(measurement, image.volume)
        texts = {
            KIND_COLUMN: KIND_LABELS[measurement.kind],
            VALUE_COLUMN: values.summary(),
            LABEL_COLUMN: measurement.label,
        }
        for column, text in texts.items():
            item = self.table.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, column, item)
            item.setText(text)
            item.setData(ID_ROLE, measurement.measurement_id)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if column == LABEL_COLUMN:
                flags |= Qt.ItemFlag.ItemIsEditable
            item.setFlags(flags)
            if column == VALUE_COLUMN:
                item.setToolTip("\n".join(values.lines()))

    def _measurements_changed(self, event: MeasurementsChanged) -> None:
        if event.image_id != self.session.active_id:
            return
        image = self._image()
        if (
            event.change is Change.CHANGED
            and image is not None
            and event.measurement_id in self.rows
        ):
            self.table.blockSignals(True)  # in place: an open label editor stays open
            self._fill_row(
                self.rows.index(event.measurement_id), image.measurements[event.measurement_id]
            )
            self.table.blockSignals(False)
            return
        self.refresh()
        if event.change is Change.ADDED:
            self._select_quietly(event.measurement_id)  # the new one, where the reader is

    # ----- user actions --------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self.table.state() != QAbstractItemView.State.EditingState
        ):
            self.delete_selected()
            return True
        return super().eventFilter(watched, event)

    def delete_selected(self) -> None:
        measurement_id = self.selected_id
        if measurement_id is not None and self.image_id is not None:
            self.session.remove_measurement(self.image_id, measurement_id)

    def select(self, measurement_id: str) -> None:
        """Select a measurement's row and take the views to it."""
        self._select_quietly(measurement_id)
        self._row_clicked(self.rows.index(measurement_id), 0)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        image = self._image()
        if item.column() != LABEL_COLUMN or image is None:
            return
        measurement = image.measurements.get(str(item.data(ID_ROLE)))
        if measurement is not None and item.text() != measurement.label:
            self.session.update_measurement(
                image.image_id, measurement.relabelled(item.text().strip())
            )

    def _row_clicked(self, row: int, _column: int) -> None:
        image = self._image()
        if image is not None and 0 <= row < len(self.rows):
            go_to_measurement(self.session, image.image_id, image.measurements[self.rows[row]])

    def _selection_changed(self) -> None:
        measurement_id = self.selected_id
        self.delete_button.setEnabled(measurement_id is not None)
        self.highlighted.emit(measurement_id)
        image = self._image()
        if not self._quiet and image is not None and measurement_id is not None:
            go_to_measurement(self.session, image.image_id, image.measurements[measurement_id])
