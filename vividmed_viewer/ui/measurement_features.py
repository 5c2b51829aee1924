"""``MeasurementFeatures``: the Measure menu, the measurement tools, layers and panel.

Built by the main window once its views exist::

    self.measurement_features = MeasurementFeatures(
        self.session, self, self.viewer.slice_views, self.viewer.volume_view
    )

It registers the tool actions (keys editable like every action), builds the Measure
menu, puts one :class:`MeasurementTool` on every slice view, and keeps a measurement
layer in each slice view and the 3D view in step with the session's events; the views
themselves know nothing of measurements.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QActionGroup

from vividmed_viewer.core.measurements import KIND_LABELS, Measurement, MeasurementKind
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import MeasurementsChanged
from vividmed_viewer.render.slice_measurements import SliceMeasurementLayer
from vividmed_viewer.render.volume_measurements import VolumeMeasurementLayer
from vividmed_viewer.render.volume_scene import VolumeScene
from vividmed_viewer.ui.actions import ActionSpec
from vividmed_viewer.ui.measurement_panel import MeasurementPanel
from vividmed_viewer.ui.measurement_tool import EscapeFilter, MeasurementTool
from vividmed_viewer.ui.session_subscriptions import subscribe
from vividmed_viewer.ui.shell import Shell
from vividmed_viewer.ui.views.slice_view import SliceView

logger = logging.getLogger(__name__)

MENU = "Measure"
# Keys: none of R, I, M, N… of the View menu, the 1–5 presets, or a view's own keys
# (arrows, B, F, R) are used.
MEASUREMENT_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "tool_navigate",
        "Navigate",
        ("N",),
        "Leave the measurement tool: left drag sets window/level again (Escape also does)",
        MENU,
    ),
    ActionSpec("tool_length", "Length", ("L",), "Measure a length: drag from end to end", MENU),
    ActionSpec(
        "tool_angle",
        "Angle",
        ("A",),
        "Measure an angle: click an end, the vertex, the other end",
        MENU,
    ),
    ActionSpec(
        "tool_ellipse",
        "Ellipse ROI",
        ("E",),
        "Drag an ellipse: mean, SD, min, max and area inside it",
        MENU,
    ),
    ActionSpec(
        "tool_rectangle",
        "Rectangle ROI",
        ("G",),
        "Drag a rectangle: mean, SD, min, max and area inside it",
        MENU,
    ),
    ActionSpec(
        "show_measurements", "Measurements Panel", (), "Show the list of measurements", MENU
    ),
)
TOOL_KINDS: dict[str, MeasurementKind | None] = {
    "tool_navigate": None,
    "tool_length": MeasurementKind.LENGTH,
    "tool_angle": MeasurementKind.ANGLE,
    "tool_ellipse": MeasurementKind.ELLIPSE,
    "tool_rectangle": MeasurementKind.RECTANGLE,
}
HINTS = {
    None: "Navigate: drag to window/level; drag a measurement's dot to move it",
    MeasurementKind.LENGTH: "Length: drag from one end to the other (Escape cancels)",
    MeasurementKind.ANGLE: "Angle: click one end, the vertex, then the other end",
    MeasurementKind.ELLIPSE: "Ellipse ROI: drag across the region (Escape cancels)",
    MeasurementKind.RECTANGLE: "Rectangle ROI: drag from corner to corner (Escape cancels)",
}


class MeasurementFeatures(QObject):
    """The measurement tools of a window: actions, menu, tool, layers, panel."""

    def __init__(
        self,
        session: Session,
        shell: Shell,
        slice_views: Mapping[str, SliceView],
        volume_view: object | None = None,
    ) -> None:
        super().__init__(shell.widget())
        self.session = session
        self.shell = shell
        self.slice_views = dict(slice_views)
        self.volume_view = volume_view
        self.tool = MeasurementTool(session, self._show_draft)
        self.layers = {
            name: SliceMeasurementLayer(view.scene) for name, view in self.slice_views.items()
        }
        scene = getattr(volume_view, "scene", None)  # the 3D view may be a placeholder
        self.volume_layer = (
            VolumeMeasurementLayer(scene) if isinstance(scene, VolumeScene) else None
        )
        self.escape_filter = EscapeFilter(self.tool, self._escape_when_idle, self)
        for view in self.slice_views.values():
            view.tool = self.tool
            view.canvas.installEventFilter(self.escape_filter)
        self.panel = MeasurementPanel(session)
        self.panel.highlighted.connect(self._highlight)
        self.dock = shell.add_panel(self.panel, "Measurements", "measurements")
        self._register_actions()
        events = session.events
        subscribe(
            self,
            [
                (events.measurements, self._measurements_changed),
                (events.active_image, self._active_image_changed),
                (events.images, self._active_image_changed),
                (events.slice, self._slice_changed),
            ],
        )
        self.refresh()

    # ----- actions -------------------------------------------------------------------------
    def _register_actions(self) -> None:
        registry = self.shell.action_registry
        for spec in MEASUREMENT_ACTIONS:
            registry.register(spec)
        for action_id, kind in TOOL_KINDS.items():
            registry.bind(action_id, partial(self.set_tool, kind))
        registry.bind("show_measurements", lambda: self.shell.show_panel("measurements"))
        menu = self.shell.add_menu(MENU)
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusive(True)
        for action_id in TOOL_KINDS:
            action = registry.qaction(action_id)
            action.setCheckable(True)
            action.setChecked(TOOL_KINDS[action_id] is None)
            self.tool_group.addAction(action)
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(registry.qaction("show_measurements"))

    def set_tool(self, kind: MeasurementKind | None) -> None:
        """Choose the tool a left drag uses on the slice views (None: Navigate)."""
        self.tool.set_kind(kind)
        action_id = next(a for a, k in TOOL_KINDS.items() if k == kind)
        self.shell.action_registry.qaction(action_id).setChecked(True)
        cursor = Qt.CursorShape.ArrowCursor if kind is None else Qt.CursorShape.CrossCursor
        for view in self.slice_views.values():
            view.canvas.setCursor(cursor)
        label = "Navigate" if kind is None else KIND_LABELS[kind]
        logger.info("measurement tool: %s", label)
        self.shell.show_status(HINTS[kind])

    def _escape_when_idle(self) -> bool:
        if self.tool.kind is None:
            return False
        self.set_tool(None)
        return True

    # ----- keeping the layers in step with the session --------------------------------------
    def refresh(self) -> None:
        """Show the active image's measurements in every view."""
        image = self.session.active
        volume = image.volume if image is not None else None
        measurements = list(image.measurements.values()) if image is not None else []
        for name, layer in self.layers.items():
            layer.set_measurements(volume, measurements)
            self.slice_views[name].schedule_redraw()
        if self.volume_layer is not None:
            self.volume_layer.set_measurements(volume, measurements)
            self._redraw_volume_view()

    def _measurements_changed(self, event: MeasurementsChanged) -> None:
        if event.image_id == self.session.active_id:
            self.refresh()

    def _active_image_changed(self, _event: object) -> None:
        if self.tool.stroke is not None and self.tool.stroke.image_id != self.session.active_id:
            self.tool.cancel()
        self.refresh()

    def _slice_changed(self, _event: object) -> None:
        # The layers settle what is on the slice before each render; this asks for one.
        for view in self.slice_views.values():
            view.schedule_redraw()

    def _show_draft(self, view_name: str, draft: Measurement | None) -> None:
        layer = self.layers.get(view_name)
        if layer is not None:
            layer.set_draft(draft)

    def _highlight(self, measurement_id: str | None) -> None:
        for name, layer in self.layers.items():
            layer.set_highlight(measurement_id)
            self.slice_views[name].schedule_redraw()

    def _redraw_volume_view(self) -> None:
        redraw = getattr(self.volume_view, "schedule_redraw", None)
        if callable(redraw):
            redraw()
