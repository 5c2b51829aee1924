"""Study browser: the series of an opened folder with thumbnails; double-click opens one."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from vividmed_viewer.core import ImageVolume, Series, SeriesKind, Study
from vividmed_viewer.ui.thumbnail import (
    THUMBNAIL_SIZE,
    pixel_aspect,
    pixels_to_pixmap,
    thumbnail_pixels,
)
from vividmed_viewer.ui.workers import TaskContext, TaskRunner

logger = logging.getLogger(__name__)

SERIES_ROLE = Qt.ItemDataRole.UserRole
PreviewReader = Callable[[Series], ImageVolume]


def series_label(series: Series) -> str:
    count = series.number_of_frames or len(series.files)
    title = series.description or "(no description)"
    number = f"#{series.series_number} " if series.series_number is not None else ""
    stack = f" [{series.stack_label}]" if series.stack_label else ""
    kind = "" if series.kind is SeriesKind.IMAGE else " (not an image)"
    return f"{number}{series.modality} · {count} image{'s' if count != 1 else ''}{stack}{kind}\n{title}"


def _default_preview_reader(series: Series) -> ImageVolume:
    from vividmed_viewer.io import read_preview

    return read_preview(series)


class StudyBrowser(QWidget):
    """Lists studies' series; thumbnails are read in the background."""

    series_activated = Signal(object)  # Series
    thumbnails_done = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        preview_reader: PreviewReader | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._read_preview = preview_reader or _default_preview_reader
        self.list = QListWidget()
        self.list.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.list.setSpacing(2)
        self.list.itemActivated.connect(self._on_activated)
        self.pending_thumbnails = 0
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)

    def set_studies(self, studies: list[Study], append: bool = False) -> None:
        """Show every series of ``studies`` (after the current ones when ``append``)."""
        if not append:
            self.list.clear()
            self._generation += 1
        for study in studies:
            header = QListWidgetItem(
                f"{study.patient_name or 'Anonymous'} · {study.description or study.date or 'study'}"
            )
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(header)
            for series in study.series:
                item = QListWidgetItem(series_label(series))
                item.setData(SERIES_ROLE, series)
                item.setToolTip("\n".join([series.key, *series.warnings]))
                if series.kind is not SeriesKind.IMAGE:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.list.addItem(item)
                if series.kind is SeriesKind.IMAGE:
                    self._request_thumbnail(item, series)

    def items(self) -> list[QListWidgetItem]:
        """The series rows (study headers left out)."""
        rows = [self.list.item(i) for i in range(self.list.count())]
        return [item for item in rows if item.data(SERIES_ROLE) is not None]

    def _request_thumbnail(self, item: QListWidgetItem, series: Series) -> None:
        generation = self._generation

        def read(context: TaskContext) -> tuple[object, float]:
            volume = self._read_preview(series)
            return thumbnail_pixels(volume), pixel_aspect(volume)

        def show(result: tuple[object, float]) -> None:
            pixels, aspect = result
            if generation == self._generation:  # the list was not replaced meanwhile
                item.setIcon(pixels_to_pixmap(pixels, aspect))  # type: ignore[arg-type]
            self._thumbnail_finished()

        def failed(error: BaseException) -> None:
            logger.warning("no thumbnail for series %s: %s", series.key, error)
            if generation == self._generation:
                item.setToolTip(f"{item.toolTip()}\nno preview: {error}")
            self._thumbnail_finished()

        self.pending_thumbnails += 1
        self._runner.start(
            f"thumbnail {series.key}",
            read,
            on_result=show,
            on_error=failed,
            on_cancelled=self._thumbnail_finished,
        )

    def _thumbnail_finished(self) -> None:
        self.pending_thumbnails -= 1
        if self.pending_thumbnails == 0:
            self.thumbnails_done.emit()

    def _on_activated(self, item: QListWidgetItem) -> None:
        series = item.data(SERIES_ROLE)
        if isinstance(series, Series) and series.kind is SeriesKind.IMAGE:
            self.series_activated.emit(series)
