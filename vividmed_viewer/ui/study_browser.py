"""Study browser: the open images, then the series of an opened folder with thumbnails.

The "Open images" section follows the session (:mod:`vividmed_viewer.core.session`): it
lists every open image however it was opened (command line, file dialog, drop, a series
from this list) and double-clicking one makes it the active image. Below it, the series of
the last scanned folder; double-clicking a series opens it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from vividmed_viewer.core import ImageVolume, Series, SeriesKind, Study
from vividmed_viewer.core.open_image import OpenImage
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import ActiveImageChanged, ImagesChanged
from vividmed_viewer.ui.thumbnail import (
    THUMBNAIL_SIZE,
    pixel_aspect,
    pixels_to_pixmap,
    thumbnail_pixels,
)
from vividmed_viewer.ui.workers import TaskContext, TaskRunner

logger = logging.getLogger(__name__)

SERIES_ROLE = Qt.ItemDataRole.UserRole
IMAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the session's image id of an open image's row
OPEN_HEADER = "Open images"
PreviewReader = Callable[[Series], ImageVolume]


def series_label(series: Series) -> str:
    count = series.number_of_frames or len(series.files)
    title = series.description or "(no description)"
    number = f"#{series.series_number} " if series.series_number is not None else ""
    stack = f" [{series.stack_label}]" if series.stack_label else ""
    kind = "" if series.kind is SeriesKind.IMAGE else " (not an image)"
    return f"{number}{series.modality} · {count} image{'s' if count != 1 else ''}{stack}{kind}\n{title}"


def open_image_label(image: OpenImage) -> str:
    volume = image.volume
    size = "×".join(str(n) for n in reversed(volume.shape[1:]))
    slices = "" if volume.is_2d else f" × {volume.shape[0]} slices"
    return f"{volume.modality} · {size}{slices}\n{image.title}"


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
        session: Session | None = None,
        preview_reader: PreviewReader | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.session = session
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
        if session is not None:
            session.events.images.connect(self._on_images)
            session.events.active_image.connect(self._on_active_image)

    # ----- open images (the session's) ------------------------------------------------------
    def _on_images(self, _event: ImagesChanged) -> None:
        self.show_open_images()

    def _on_active_image(self, _event: ActiveImageChanged) -> None:
        self.show_open_images()

    def show_open_images(self) -> None:
        """Rebuild the top section from the session; the active image is selected."""
        rows = [self.list.item(i) for i in range(self.list.count())]
        section = [i for i, item in enumerate(rows) if self._in_open_section(item)]
        for index in reversed(section):
            self.list.takeItem(index)
        if self.session is None or not self.session.images:
            return
        header = QListWidgetItem(OPEN_HEADER)
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.insertItem(0, header)
        for number, image in enumerate(self.session.images.values(), start=1):
            item = QListWidgetItem(open_image_label(image))
            item.setData(IMAGE_ROLE, image.image_id)
            item.setToolTip(image.source or image.title)
            self.list.insertItem(number, item)
            if image.image_id == self.session.active_id:
                self.list.setCurrentItem(item)

    @staticmethod
    def _in_open_section(item: QListWidgetItem) -> bool:
        return item.data(IMAGE_ROLE) is not None or (
            item.text() == OPEN_HEADER and item.data(SERIES_ROLE) is None
        )

    def open_image_items(self) -> list[QListWidgetItem]:
        rows = [self.list.item(i) for i in range(self.list.count())]
        return [item for item in rows if item.data(IMAGE_ROLE) is not None]

    # ----- scanned studies ----------------------------------------------------------------
    def set_studies(self, studies: list[Study], append: bool = False) -> None:
        """Show every series of ``studies`` (after the current ones when ``append``)."""
        if not append:
            self.list.clear()
            self._generation += 1
            self.show_open_images()
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
        image_id = item.data(IMAGE_ROLE)
        if image_id is not None and self.session is not None and image_id in self.session.images:
            self.session.set_active(image_id)
            return
        series = item.data(SERIES_ROLE)
        if isinstance(series, Series) and series.kind is SeriesKind.IMAGE:
            self.series_activated.emit(series)
