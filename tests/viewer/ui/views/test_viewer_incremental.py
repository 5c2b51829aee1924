"""ImageViewer.set_overlays as streamed phrases call it: incremental, one render per view."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from vividmed_viewer.core import GroundedReport, ImageVolume
from vividmed_viewer.ui.views.image_viewer import SLICE_VIEWS, ImageViewer


def count_renders(viewer: ImageViewer) -> dict[str, list[int]]:
    """A counter per view, bumped at the end of each render of its window."""
    counts: dict[str, list[int]] = {}
    for name in (*SLICE_VIEWS, "3d"):
        counter = counts[name] = [0]
        window = viewer.views[name].render_window  # type: ignore[attr-defined]
        window.AddObserver("EndEvent", lambda *_args, c=counter: c.__setitem__(0, c[0] + 1))
    return counts


def test_overlays_arriving_one_by_one_keep_their_actors_and_render_each_view_once(
    qtbot: QtBot, sample_case: tuple[ImageVolume, GroundedReport]
) -> None:
    volume, report = sample_case
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    viewer.resize(640, 600)
    viewer.show()
    qtbot.waitExposed(viewer)
    image = viewer.set_volume(volume)
    qtbot.wait(50)
    overlays = list(report.overlays.values())
    streaming = GroundedReport()  # the report as it streams: regions arrive one phrase at a time
    viewer.session.set_report(image.image_id, streaming)
    for overlay in overlays[:2]:
        streaming.add_overlay(overlay)
    qtbot.wait(50)
    actors = {
        name: {o.overlay_id: view.scene.overlays[o.overlay_id].actor for o in overlays[:2]}
        for name, view in viewer.slice_views.items()
    }
    counts = count_renders(viewer)
    for overlay in overlays[2:]:  # more phrases' regions in one event-loop turn
        streaming.add_overlay(overlay)
    viewer.session.sync_report_overlays(image.image_id)  # a repeated sync changes nothing
    assert all(counts[name][0] == 0 for name in SLICE_VIEWS)  # rendered from the event loop
    qtbot.waitUntil(lambda: all(counts[name][0] >= 1 for name in SLICE_VIEWS), timeout=5000)
    qtbot.wait(50)
    assert [counts[name][0] for name in SLICE_VIEWS] == [1, 1, 1]
    for name, view in viewer.slice_views.items():
        assert set(view.scene.overlays) == {o.overlay_id for o in overlays}
        for overlay_id, actor in actors[name].items():
            assert view.scene.overlays[overlay_id].actor is actor
    frame = viewer.grab_frame()
    assert frame.std() > 10
    viewer.shutdown()
