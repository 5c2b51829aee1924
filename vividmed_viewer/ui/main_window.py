"""The main window: a thin shell around the session (:mod:`vividmed_viewer.core.session`).

The session holds what the user works on; the window lays out the widgets that show it
(image views in the centre, studies left, report, overlays and chat right), opens files
into it, and offers feature modules the narrow :class:`~vividmed_viewer.ui.shell.Shell`
interface: add a panel or menu, show status, progress and errors, register actions.

Features: the model (``model_features``: Model menu, Generate/Stop, chat), measurements
(``measurement_features``). ``--results DIR`` bundles are found by ``results_lookup``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QWidget,
)

from vividmed_viewer.core import GroundedReport, ImageVolume, Series, Study, VividMedError
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import ActiveImageChanged, SliceChanged
from vividmed_viewer.ui.actions import ActionRegistry
from vividmed_viewer.ui.error_dialog import show_error
from vividmed_viewer.ui.loading import LoadController
from vividmed_viewer.ui.measurement_features import MeasurementFeatures
from vividmed_viewer.ui.model_features import ModelFeatures
from vividmed_viewer.ui.overlay_list import OverlayList
from vividmed_viewer.ui.report_panel import ReportPanel
from vividmed_viewer.ui.results_lookup import StoredResults, bundle_image, find_stored_results
from vividmed_viewer.ui.settings import RecentFiles, app_settings
from vividmed_viewer.ui.shortcuts_dialog import ShortcutsDialog
from vividmed_viewer.ui.status_bar import ViewerStatusBar
from vividmed_viewer.ui.study_browser import StudyBrowser
from vividmed_viewer.ui.views.image_viewer import ImageViewer
from vividmed_viewer.ui.window_actions import bind_viewer_actions, build_menus
from vividmed_viewer.ui.workers import TaskRunner

logger = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """VividMed Viewer's window: the session's widgets, file opening, the Shell for features."""

    def __init__(
        self, settings: QSettings | None = None, results_dir: str | Path | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle("VividMed Viewer")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.session = Session()
        self.settings = settings or app_settings()
        self.recent = RecentFiles(self.settings)
        self.results_dir = Path(results_dir) if results_dir else None
        self.runner = TaskRunner(self)
        self.loader = LoadController(self.runner, self)
        self.pending_report: GroundedReport | None = None  # waits for the next image shown
        self.last_error_dialog: QMessageBox | None = None
        self.generate_on_show = False  # `--generate`: the next image shown gets a model report
        self.panel_docks: dict[str, QDockWidget] = {}
        self.panels_menu: QMenu | None = None
        self.menus: dict[str, QMenu] = {}

        self.viewer = ImageViewer(self.session, self)
        self.setCentralWidget(self.viewer)
        self.status = ViewerStatusBar(self)
        self.setStatusBar(self.status)
        self.study_browser = StudyBrowser(self.runner, self.session, parent=self)
        self.report_panel = ReportPanel(self.session, self)
        self.overlay_list = OverlayList(self.session, self)
        self.add_panel(
            self.study_browser, "Studies", "studies", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.add_panel(self.report_panel, "Report", "report")
        self.add_panel(self.overlay_list, "Overlays", "overlays")

        self.action_registry = ActionRegistry(self.settings)
        self.action_registry.create_qactions(self)
        self.maximize_toggle = bind_viewer_actions(self)
        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("toolbar_main")
        self.addToolBar(self.toolbar)
        self.recent_menu = build_menus(self, self.maximize_toggle)
        self.model_features = ModelFeatures(self.session, self)
        self.toolbar.addSeparator()
        self.toolbar.addActions(self.model_features.toolbar_actions)
        self.measurement_features = MeasurementFeatures(
            self.session, self, self.viewer.slice_views, self.viewer.volume_view
        )
        self._connect()
        available = self.screen().availableGeometry()  # never larger than the screen
        self.resize(min(1400, available.width()), min(900, available.height()))
        self._restore_geometry()

    # --- what the session shows (read from it, never copied) --------------------------------
    @property
    def volume(self) -> ImageVolume | None:
        """The active image's pixels (None before an image is open)."""
        return self.viewer.volume

    @property
    def volume_source(self) -> str:
        image = self.session.active
        return image.source if image is not None else ""

    @property
    def report(self) -> GroundedReport | None:
        image = self.session.active
        return image.report if image is not None else None

    # --- the Shell interface (ui/shell.py) ------------------------------------------------
    def widget(self) -> QWidget:
        return self

    def add_panel(
        self,
        widget: QWidget,
        title: str,
        name: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        tabify_with: str | None = None,
    ) -> QDockWidget:
        """Dock ``widget`` (e.g. the chat panel: ``add_panel(chat, "Chat", "chat", tabify_with="report")``)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if tabify_with is not None:
            self.tabifyDockWidget(self.panel_docks[tabify_with], dock)
        self.panel_docks[name] = dock
        if self.panels_menu is not None:
            self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    def show_panel(self, name: str) -> None:
        dock = self.panel_docks[name]
        dock.show()
        dock.raise_()

    def add_menu(self, title: str) -> QMenu:
        if title not in self.menus:
            before = self.panels_menu.menuAction() if self.panels_menu is not None else None
            menu = QMenu(title, self)
            if before is not None:
                self.menuBar().insertMenu(before, menu)
            else:
                self.menuBar().addMenu(menu)
            self.menus[title] = menu
        return self.menus[title]

    def show_status(self, message: str, timeout_ms: int = 10_000) -> None:
        self.status.showMessage(message, timeout_ms)

    def set_busy(self, message: str | None) -> None:
        """The model works: a busy indicator, and the 3D pane holds its redraws until done."""
        self.viewer.set_model_running(message is not None)
        if message is not None:
            self.status.start_busy(message)
        else:
            self.status.finish_progress(self.status.currentMessage())

    def show_error(self, title: str, error: BaseException | str) -> None:
        self.last_error_dialog = show_error(self, title, error)

    def _connect(self) -> None:
        self.viewer.cursor_info_changed.connect(self.status.show_cursor)
        events = self.session.events
        events.slice.connect(self._on_slice)
        events.active_image.connect(self._on_active_image)
        self.study_browser.series_activated.connect(self.open_series)
        self.loader.volume_loaded.connect(self.show_volume)
        self.loader.studies_found.connect(self._on_studies_found)
        self.loader.failed.connect(self._on_open_failed)
        self.loader.started.connect(lambda _task, message: self.status.start_progress(message))
        self.loader.progressed.connect(self.status.set_progress)
        self.loader.stopped.connect(self.status.finish_progress)
        self.status.cancel_requested.connect(self.loader.cancel)

    def _on_slice(self, event: SliceChanged) -> None:
        if event.image_id == self.session.active_id:
            self.status.show_slice(event.view, event.index)

    def _on_active_image(self, _event: ActiveImageChanged) -> None:
        image = self.session.active
        self.status.set_slice_counts(image.volume.shape if image is not None else None)
        self.status.show_cursor(None)
        title = f"{image.title} — VividMed Viewer" if image is not None else "VividMed Viewer"
        self.setWindowTitle(title)

    # --- opening ------------------------------------------------------------------------
    def open_paths(self, paths: list[str | Path]) -> None:
        """Show the first path; list the others in the study browser."""
        for number, path in enumerate(paths):
            self.open_path(path, show=number == 0)

    def open_path(self, path: str | Path, show: bool = True) -> None:
        path = Path(path)
        if path.suffix.lower() == ".json":
            self.open_report(path)
            return
        if show:
            self.study_browser.set_studies([])  # the last folder's series are not this one's
        self.loader.open_path(path, show=show)

    def open_series(self, series: Series) -> None:
        self.loader.open_series(series)

    def show_volume(self, volume: ImageVolume, source: str = "") -> None:
        """Open a loaded image in the session; a stored result for it comes with it."""
        image = self.session.open_image(volume, source)
        for warning in volume.warnings:
            logger.warning("%s: %s", source, warning)
        if volume.warnings:
            self.status.showMessage(" · ".join(volume.warnings), 10_000)
        if source and Path(source).exists():
            self.recent.add(source)
            self.refresh_recent_menu()
        report, self.pending_report = self.pending_report, None
        stored = self._stored_results(source) if report is None else None
        if stored is not None and stored.answers is not None:
            self.model_features.seed_answers(image.image_id, stored.answers)
        shown = stored.report if stored is not None else report
        if shown is not None:  # an image shown again keeps the report it has
            self.set_report(shown)
        if self.generate_on_show:
            self.generate_on_show = False
            self.model_features.generate_report()

    def _stored_results(self, source: str) -> StoredResults | None:
        """The ``--results`` bundle or report of the image; problems go to the status bar."""
        if self.results_dir is None or not source:
            return None
        try:
            stored = find_stored_results(self.results_dir, Path(source))
        except VividMedError as error:
            logger.warning("no stored results for %s: %s", source, error)
            self.status.showMessage(f"Stored results: {error}", 15_000)
            return None
        if stored is not None:
            self.status.showMessage(f"Stored results from {stored.location}", 10_000)
        return stored

    def set_results_dir(self, folder: str | Path) -> None:
        """Use ``folder``'s stored results; the open image's are shown at once.

        With no image open, a single case's bundle opens its image (named in the bundle).
        """
        self.results_dir = Path(folder)
        image = self.session.active
        bundled = bundle_image(self.results_dir) if image is None else None
        if bundled is not None:
            self.open_path(bundled)
            return
        stored = self._stored_results(image.source) if image is not None else None
        if stored is not None and image is not None:
            if stored.answers is not None:
                self.model_features.seed_answers(image.image_id, stored.answers)
            self.set_report(stored.report)

    def set_report(self, report: GroundedReport | None) -> None:
        """Show a report for the active image (with no image open it waits for the next)."""
        image = self.session.active
        if image is None:
            self.pending_report = report
            if report is not None:
                self.status.showMessage("The report is shown with the next image opened", 10_000)
            return
        self.session.set_report(image.image_id, report)
        if report is not None:
            other_grid = [
                o
                for o in report.overlays.values()
                if not o.geometry.same_grid(image.volume.geometry)
            ]
            if other_grid:
                self.status.showMessage(
                    f"{len(other_grid)} overlay(s) lie on a different grid than the image", 10_000
                )
            self.panel_docks["report"].raise_()

    def open_report(self, path: str | Path, wait_for_image: bool = False) -> None:
        """Show a grounded report (JSON); ``wait_for_image`` keeps it for the next image shown."""
        report = self._read_report(path)
        if report is None:
            return
        if wait_for_image or self.session.active is None:
            self.pending_report = report
            return
        self.set_report(report)
        self.status.showMessage(f"Report: {report.provenance.describe()}", 10_000)

    def _read_report(self, path: str | Path) -> GroundedReport | None:
        try:
            return GroundedReport.load(path)
        except VividMedError as error:
            self.show_error(f"Cannot open report {Path(path).name}", error)
            return None

    def _on_studies_found(self, studies: list[Study], path: str, shown: bool) -> None:
        self.study_browser.set_studies(studies, append=not shown)
        self.panel_docks["studies"].raise_()
        self.recent.add(path)
        self.refresh_recent_menu()

    def _on_open_failed(self, path: str, error: BaseException) -> None:
        self.show_error(f"Cannot open {Path(path).name}", error)

    # --- dialogs ------------------------------------------------------------------------
    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.action_registry, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        from vividmed_viewer.ui.about_dialog import AboutDialog  # (built when first asked for)

        dialog = AboutDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent.paths:
            action = QAction(path, self.recent_menu)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
            self.recent_menu.addAction(action)
        self.recent_menu.setEnabled(bool(self.recent.paths))

    # --- drag and drop, geometry ------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        paths: list[str | Path] = [
            u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()
        ]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        self.runner.cancel_all()
        self.model_features.shutdown()
        self.runner.wait(5000)
        viewer_shutdown = getattr(self.viewer, "shutdown", None)  # stops the views' workers
        if callable(viewer_shutdown):
            viewer_shutdown()
        super().closeEvent(event)
