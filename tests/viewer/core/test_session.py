"""Session: typed events for every change, overlay styles that survive new regions, no Qt."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from vividmed_viewer.core import (
    GridGeometry,
    GroundedReport,
    ImageVolume,
    MaskOverlay,
    Phrase,
    ValidationError,
    WindowLevel,
)
from vividmed_viewer.core.measurements import Measurement, MeasurementKind
from vividmed_viewer.core.overlay_style import DEFAULT_OPACITY
from vividmed_viewer.core.session import Session
from vividmed_viewer.core.session_events import Change

GEOMETRY = GridGeometry((4, 16, 16), spacing=(2.0, 0.5, 0.5))


def volume() -> ImageVolume:
    voxels = np.arange(4 * 16 * 16, dtype=np.int16).reshape(4, 16, 16)
    return ImageVolume(voxels, spacing=GEOMETRY.spacing, modality="CT")


def mask(target: str, z: int = 1) -> MaskOverlay:
    label_map = np.zeros(GEOMETRY.shape, dtype=np.uint8)
    label_map[z, 4:8, 4:8] = 1
    return MaskOverlay(target, label_map, GEOMETRY, colour=(10, 20, 30))


class Recorder:
    """Every event the session emits, by emitter name."""

    def __init__(self, session: Session) -> None:
        self.seen: list[tuple[str, Any]] = []
        for name, emitter in vars(session.events).items():
            emitter.connect(lambda event, n=name: self.seen.append((n, event)))

    def of(self, name: str) -> list[Any]:
        return [event for n, event in self.seen if n == name]


def test_the_session_imports_no_qt_vtk_or_torch() -> None:
    code = (
        "import sys, vividmed_viewer.core.session; "
        "print([m for m in ('PySide6', 'vtkmodules', 'torch') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_opening_images_announces_them_and_activates_the_newest() -> None:
    session = Session()
    events = Recorder(session)
    first = session.open_image(volume(), "/data/a.nii.gz")
    second = session.open_image(volume(), "/data/b.nii.gz")
    assert session.active is second
    assert [e.change for e in events.of("images")] == [Change.ADDED, Change.ADDED]
    assert [e.image_id for e in events.of("active_image")] == [first.image_id, second.image_id]
    assert session.open_image(second.volume, "/data/b.nii.gz") is second  # no duplicate
    session.close_image(second.image_id)
    assert session.active is first
    assert events.of("images")[-1].image_ids == (first.image_id,)


def test_streamed_report_regions_are_followed_and_styles_survive_new_regions() -> None:
    session = Session()
    image = session.open_image(volume(), "a")
    events = Recorder(session)
    report = GroundedReport()
    session.set_report(image.image_id, report)
    lungs = mask("lungs")
    report.add_overlay(lungs)
    assert [o.overlay_id for o in image.overlays] == [lungs.overlay_id]
    assert events.of("overlays")[-1].added == (lungs.overlay_id,)
    assert session.style(image.image_id, lungs.overlay_id).opacity == DEFAULT_OPACITY

    session.set_style(image.image_id, lungs.overlay_id, visible=False, colour=(1, 2, 3))
    heart = mask("heart", z=2)
    report.add_overlay(heart)  # a streamed phrase adds a region
    session.add_chat_overlays(image.image_id, [mask("aorta")])  # and so does a chat answer
    style = session.style(image.image_id, lungs.overlay_id)
    assert (style.visible, style.colour) == (False, (1, 2, 3))
    assert session.style(image.image_id, heart.overlay_id).visible
    assert len(events.of("style")) == 1


def test_chat_regions_stay_one_per_target_and_old_phrases_still_find_them() -> None:
    session = Session()
    image = session.open_image(volume(), "a")
    first, second, third = mask("aorta"), mask("aorta", z=2), mask("heart")
    session.add_chat_overlays(image.image_id, [first])
    session.set_style(image.image_id, first.overlay_id, opacity=0.9)
    session.add_chat_overlays(image.image_id, [second, third])
    session.add_chat_overlays(image.image_id, [second])  # the same region again: nothing new
    assert [o.target for o in image.overlays] == ["aorta", "heart"]
    assert session.style(image.image_id, second.overlay_id).opacity == 0.9
    old_phrase = Phrase(0, 5, "aorta", (first.overlay_id,))
    assert session.select_phrase(image.image_id, old_phrase).overlay_ids == (second.overlay_id,)
    session.clear_chat_overlays(image.image_id)
    assert image.overlays == []


def test_a_new_report_replaces_the_old_reports_regions_but_not_the_chats() -> None:
    session = Session()
    image = session.open_image(volume(), "a")
    old = GroundedReport()
    old.add_overlay(mask("lungs"))
    session.set_report(image.image_id, old)
    session.add_chat_overlays(image.image_id, [mask("heart")])
    new = GroundedReport()
    new_lungs = mask("lungs")
    new.add_overlay(new_lungs)
    events = Recorder(session)
    session.set_report(image.image_id, new)
    assert [o.overlay_id for o in image.overlays][-1] == new_lungs.overlay_id
    assert sorted(o.target for o in image.overlays) == ["heart", "lungs"]
    old.add_overlay(mask("aorta"))  # the old report is no longer followed
    assert "aorta" not in [o.target for o in image.overlays]
    assert len(events.of("report")) == 1 and len(events.of("overlays")) == 1


def test_window_slices_crosshair_and_reset() -> None:
    session = Session()
    image = session.open_image(volume(), "a")
    events = Recorder(session)
    session.set_window(image.image_id, WindowLevel(40, 400))
    session.set_window(image.image_id, WindowLevel(40, 400))  # unchanged: no event
    session.set_slice(image.image_id, "axial", 3)
    session.set_crosshair(image.image_id, (1.0, 2.0, 3.0))
    assert len(events.of("window")) == 1 and events.of("slice")[0].index == 3
    session.reset_view(image.image_id)
    assert image.view_state.window == image.volume.display_window
    assert image.view_state.crosshair is None
    assert len(events.of("view_reset")) == 1


def test_measurements_are_listed_per_image_and_editable() -> None:
    session = Session()
    image = session.open_image(volume(), "a")
    events = Recorder(session)
    length = Measurement(MeasurementKind.LENGTH, ((1, 2, 2), (1, 2, 10)))
    session.add_measurement(image.image_id, length)
    session.update_measurement(image.image_id, length.relabelled("left hilum"))
    session.remove_measurement(image.image_id, length.measurement_id)
    assert [e.change for e in events.of("measurements")] == [
        Change.ADDED,
        Change.CHANGED,
        Change.REMOVED,
    ]
    with pytest.raises(ValidationError, match="no measurement"):
        session.update_measurement(image.image_id, length)
    with pytest.raises(ValidationError, match="no open image"):
        session.set_slice("image-99", "axial", 1)
