"""The 3D view widget: a VolumeScene in a Qt-embedded VTK window, surfaces built off the GUI thread.

Left drag rotates (trackball camera), the wheel zooms, `r` resets to the anterior view. While
the mouse is down the render window asks for 15 fps and the CPU ray caster lowers its sample
distances to keep up; on release it renders at full quality.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkCommonDataModel import vtkPolyData
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera
from vtkmodules.vtkRenderingCore import vtkRenderWindow, vtkRenderWindowInteractor

from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.overlay_style import OverlayStyle
from vividmed_viewer.core.overlays import MaskOverlay, Overlay
from vividmed_viewer.render import vtk_backends  # noqa: F401 (OpenGL factories)
from vividmed_viewer.render.mask_surface import build_mask_surface
from vividmed_viewer.render.volume_presets import VOLUME_PRESETS
from vividmed_viewer.render.volume_scene import VolumeScene
from vividmed_viewer.ui.views.render_pacing import render_pacer
from vividmed_viewer.ui.workers import Task, TaskContext, TaskRunner

logger = logging.getLogger(__name__)

INTERACTIVE_UPDATE_RATE = 15.0
#: While the model runs, a render the user asks for (rotation, preset) uses this rate (the
#: CPU ray caster coarsens its sampling), and the redraws streamed regions would trigger wait
#: for the end of the run: next to the model on a CPU one 3D render took 150-280 ms, the
#: main source of event-loop stalls. One full-quality render follows when the model is done.
BUSY_UPDATE_RATE = 25.0


class VolumeView(QWidget):
    """3D view: volume rendering with presets, mask surfaces and labelled box wireframes."""

    surfaces_ready = Signal()
    surface_failed = Signal(str, str)  # overlay id, message

    def __init__(self, parent: QWidget | None = None, scene: VolumeScene | None = None) -> None:
        super().__init__(parent)
        self.scene = scene or VolumeScene()
        self.runner = TaskRunner(self, max_threads=1)
        self._generation = 0
        self._pending: set[str] = set()
        self._tasks: dict[str, Task] = {}  # overlay id → its surface build in progress
        self._task_generation: dict[str, int] = {}
        self._model_running = False  # see set_model_running
        self._held_redraw = False
        self._render_mode_checked = False

        self.preset_combo = QComboBox(self)
        self.preset_combo.addItems(list(VOLUME_PRESETS))
        self.preset_combo.setToolTip("Volume rendering preset")
        self.preset_combo.currentTextChanged.connect(self._preset_chosen)
        self.reset_button = QToolButton(self)
        self.reset_button.setText("Reset")
        self.reset_button.setToolTip("Anterior view, head up (r)")
        self.reset_button.clicked.connect(self.reset_view)
        self.volume_button = QToolButton(self)
        self.volume_button.setText("Volume")
        self.volume_button.setCheckable(True)
        self.volume_button.setChecked(True)
        self.volume_button.setToolTip("Show the volume rendering (off: surfaces and boxes only)")
        self.volume_button.toggled.connect(self.set_volume_visible)
        self.status_label = QLabel(self)

        self.vtk_widget = QVTKRenderWindowInteractor(self)
        self.render_window: vtkRenderWindow = self.vtk_widget.GetRenderWindow()
        self.render_window.AddRenderer(self.scene.renderer)
        self.interactor: vtkRenderWindowInteractor = self.render_window.GetInteractor()
        self.interactor.SetDesiredUpdateRate(INTERACTIVE_UPDATE_RATE)
        style = vtkInteractorStyleTrackballCamera()
        # An observer replaces the style's own key handling (no `w` wireframe, `e` exit, …).
        style.AddObserver(vtkCommand.CharEvent, self._on_char)
        self.interactor.SetInteractorStyle(style)
        self.interactor.Initialize()

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(QLabel("Preset:", self))
        bar.addWidget(self.preset_combo)
        bar.addWidget(self.volume_button)
        bar.addWidget(self.reset_button)
        bar.addStretch(1)
        bar.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.vtk_widget, 1)

    # ----- content ------------------------------------------------------------------------
    def set_volume(
        self, volume: ImageVolume, preset: str | None = None, render: bool = True
    ) -> None:
        """Show a volume (its modality picks the preset unless one is given).

        ``render=False`` leaves the (slow) render to the caller, e.g. :meth:`schedule_redraw`.
        """
        self.scene.set_volume(volume, preset)
        self._sync_combo()
        note = (
            f"{self.scene.downsample_factor}× downsampled"
            if self.scene.downsample_factor > 1
            else ""
        )
        self.status_label.setText(note)
        if render:
            self.redraw()

    def clear(self) -> None:
        """Remove the volume and overlays, drop surfaces still being built."""
        self._cancel_surfaces()
        self.scene.clear()
        self.status_label.setText("")
        self.redraw()

    def set_overlays(
        self, overlays: Iterable[Overlay], styles: Mapping[str, OverlayStyle] | None = None
    ) -> None:
        """Show overlays in their styles: boxes at once, masks when their worker built them.

        Incremental: overlays already shown (same id, same object) keep their surface or
        their surface build in progress; only new masks start a build.
        """
        overlays = list(overlays)
        before = {oid: self.scene.overlay_props(oid).overlay for oid in self.scene.overlay_ids}
        changed = self.scene.set_overlays(overlays, styles, build_surfaces=False)
        wanted = {o.overlay_id: o for o in overlays}
        for overlay_id in list(self._tasks):
            if wanted.get(overlay_id) is not before.get(overlay_id):
                self._cancel_surface(overlay_id)
        new_masks = [
            o
            for o in overlays
            if isinstance(o, MaskOverlay) and not o.is_empty and before.get(o.overlay_id) is not o
        ]
        for mask in new_masks:
            self._generation += 1
            self._tasks[mask.overlay_id] = self.runner.start(
                f"surface {mask.target}",
                partial(self._build, mask=mask),
                on_result=partial(self._surface_built, self._generation, mask.overlay_id),
                on_error=partial(self._surface_error, self._generation, mask.overlay_id),
            )
            self._task_generation[mask.overlay_id] = self._generation
        self._pending = set(self._tasks)
        if changed:
            self.schedule_redraw()
        if not self._pending:
            self.surfaces_ready.emit()

    @staticmethod
    def _build(context: TaskContext, mask: MaskOverlay) -> Any:
        context.check_cancelled()
        return build_mask_surface(mask)

    def _alive(self) -> bool:
        """False once Qt has deleted this view or its VTK widget (a late worker result)."""
        return shiboken6.isValid(self) and shiboken6.isValid(self.vtk_widget)

    def _current(self, generation: int, overlay_id: str) -> bool:
        """Whether a worker result is for the surface build still wanted."""
        return self._task_generation.get(overlay_id) == generation and self._alive()

    def _surface_built(self, generation: int, overlay_id: str, surface: vtkPolyData) -> None:
        if not self._current(generation, overlay_id):
            return
        self.scene.add_mask_surface(overlay_id, surface)
        self._surface_done(overlay_id)

    def _surface_error(self, generation: int, overlay_id: str, error: BaseException) -> None:
        if not self._current(generation, overlay_id):
            return
        logger.error("3D surface of overlay %s failed: %s", overlay_id, error)
        self.surface_failed.emit(overlay_id, str(error))
        self._surface_done(overlay_id)

    def _surface_done(self, overlay_id: str) -> None:
        self._tasks.pop(overlay_id, None)
        self._task_generation.pop(overlay_id, None)
        self._pending.discard(overlay_id)
        self.schedule_redraw()  # surfaces arriving together share one render
        if not self._pending:
            self.surfaces_ready.emit()

    def _cancel_surface(self, overlay_id: str) -> None:
        task = self._tasks.pop(overlay_id, None)
        if task is not None:
            task.cancel()
        self._task_generation.pop(overlay_id, None)
        self._pending.discard(overlay_id)

    def _cancel_surfaces(self) -> None:
        for overlay_id in list(self._tasks):
            self._cancel_surface(overlay_id)

    @property
    def surfaces_pending(self) -> bool:
        return bool(self._pending)

    # ----- style and camera ---------------------------------------------------------------
    def set_overlay_style(
        self, overlay_id: str, style: OverlayStyle | None = None, **changes: Any
    ) -> None:
        """Draw one overlay in ``style`` (default: its current one) with ``changes`` applied."""
        self.scene.set_overlay_style(overlay_id, style, **changes)
        self.schedule_redraw()

    def highlight_overlay(self, overlay_id: str | None) -> None:
        self.scene.highlight(overlay_id)
        self.redraw()

    def set_preset(self, name: str) -> None:
        self.scene.set_preset(name)
        self._sync_combo()
        self.redraw()

    def set_volume_visible(self, visible: bool) -> None:
        """Show or hide the volume rendering; mask surfaces and boxes stay."""
        self.scene.set_volume_visible(visible)
        if self.volume_button.isChecked() != visible:
            self.volume_button.setChecked(visible)
        self.redraw()

    def reset_view(self) -> None:
        self.scene.reset_camera()
        self.redraw()

    def set_model_running(self, running: bool) -> None:
        """While ``running``: coarse renders, automatic redraws held; after: one full render."""
        self._model_running = running
        rate = BUSY_UPDATE_RATE if running else self.interactor.GetStillUpdateRate()
        self.render_window.SetDesiredUpdateRate(rate)
        if not running and self._held_redraw:
            self._held_redraw = False
            self.schedule_redraw()

    def schedule_redraw(self) -> None:
        """Redraw from the event loop (several requests before it runs share one render);
        while the model runs, after it (see :meth:`set_model_running`)."""
        if self._model_running:
            self._held_redraw = True
            return
        render_pacer().request(self, self.redraw)

    def redraw(self) -> None:
        """Redraw now (the first time also picks CPU or GPU rendering for this window)."""
        render_pacer().cancel(self)
        if not self._alive() or not self.vtk_widget.isVisible():
            return
        self.render_window.Render()
        if not self._render_mode_checked and self.scene.volume is not None:
            self._render_mode_checked = True
            before = self.scene.resolved_render_mode
            self.scene.refresh_render_mode()
            if self.scene.resolved_render_mode != before:
                self.render_window.Render()

    def shutdown(self) -> None:
        """Stop surface workers and release the OpenGL context (call before deleting)."""
        self._cancel_surfaces()
        self.runner.wait(10_000)
        self.vtk_widget.Finalize()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.shutdown()
        super().closeEvent(event)

    # ----- internals ----------------------------------------------------------------------
    def _preset_chosen(self, name: str) -> None:
        if name and name != self.scene.preset_name and self.scene.volume is not None:
            self.set_preset(name)

    def _sync_combo(self) -> None:
        if self.scene.preset_name is not None:
            self.preset_combo.blockSignals(True)
            self.preset_combo.setCurrentText(self.scene.preset_name)
            self.preset_combo.blockSignals(False)

    def _on_char(self, _style: object, _event: str) -> None:
        if self.interactor.GetKeyCode() in ("r", "R"):
            self.reset_view()


def main() -> int:
    """Demo: ``python -m vividmed_viewer.ui.views.volume_view`` shows the sample case in 3D."""
    import sys

    from PySide6.QtWidgets import QApplication

    from vividmed_viewer.ui.sample_case import make_sample_case

    logging.basicConfig(level=logging.INFO)
    app = QApplication.instance() or QApplication(sys.argv)
    volume, report = make_sample_case()
    view = VolumeView()
    view.resize(700, 700)
    view.setWindowTitle("VividMed 3D view: sample case")
    view.show()
    view.set_volume(volume)
    view.set_overlays(report.overlays.values())
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
