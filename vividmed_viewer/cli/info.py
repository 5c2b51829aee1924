"""``vividmed info PATH [--json]``: studies, series and their geometry, from headers where possible."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vividmed_viewer.core.geometry import GridGeometry
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.series_choice import default_series
from vividmed_viewer.core.study import Series, SeriesKind, Study
from vividmed_viewer.core.units import value_units
from vividmed_viewer.core.window import WindowLevel
from vividmed_viewer.io import ImageFormat, detect_format, load_image, read_preview, scan_path
from vividmed_viewer.io.dicom.plan import plan_series
from vividmed_viewer.io.dicom.volume_facts import header_window


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="a DICOM file, folder or DICOMDIR, NIfTI, PNG/JPEG")
    parser.add_argument("--json", action="store_true", help="print the description as JSON")


def _axes(geometry: GridGeometry) -> dict[str, str]:
    """Patient directions of the x, y and z axes, e.g. {"x": "R→L", ...}."""
    result = {}
    for name, axis in (("x", 2), ("y", 1), ("z", 0)):
        low, high = geometry.axis_letters(axis)
        result[name] = f"{low}→{high}"
    return result


def _significant(value: float) -> float:
    """``value`` to six significant digits (JSON without float noise, small ranges kept)."""
    return float(f"{value:.6g}")


def _window(window: WindowLevel | None, source: str) -> dict[str, Any] | None:
    if window is None:
        return None
    return {
        "center": _significant(window.center),
        "width": _significant(window.width),
        "text": window.describe(),
        "source": source,
    }


def _series_facts(series: Series, opens: bool = False) -> dict[str, Any]:
    """Geometry, window and warnings of an image series from its headers (one slice if needed).

    ``opens``: this is the series the viewer, ``load_image`` and ``infer`` open by default.
    """
    facts = series.summary()
    facts["key"] = series.key
    if series.kind is SeriesKind.NON_IMAGE:
        return facts
    facts["opens_by_default"] = opens
    plan = plan_series(series)
    geometry = GridGeometry(
        (plan.slice_count, plan.stack.rows, plan.stack.columns),
        plan.spacing,
        plan.origin,
        plan.direction,
    )
    window = _window(header_window(plan.frames), "header")
    if window is None:
        window = _window(read_preview(series).window, "pixels (middle slice)")
    z, y, x = geometry.shape
    sz, sy, sx = geometry.spacing
    facts.update(
        size=[x, y, z],
        spacing_mm=[sx, sy, sz],
        spacing_source=plan.in_plane.source.value,
        spacing_known=plan.in_plane.known,
        axes=_axes(geometry) if plan.stack.orientation is not None else {},
        units=value_units(series.modality, plan.first_header.rescale_type),
        window=window,
        warnings=list(dict.fromkeys(series.warnings + plan.warnings)),
    )
    return facts


def _study_facts(study: Study, opened: Series | None) -> dict[str, Any]:
    return {
        "study_instance_uid": study.study_instance_uid,
        "patient_name": study.patient_name,
        "patient_id": study.patient_id,
        "description": study.description,
        "date": study.date,
        "series": [
            _series_facts(s, opens=s is opened) for s in study.series if s.kind is SeriesKind.IMAGE
        ],
        "non_image": [_series_facts(s) for s in study.series if s.kind is SeriesKind.NON_IMAGE],
        "warnings": list(study.warnings),
    }


def _volume_facts(volume: ImageVolume) -> dict[str, Any]:
    z, y, x = volume.shape
    sz, sy, sx = volume.spacing
    return {
        "modality": volume.modality,
        "description": volume.metadata.series_description,
        "size": [x, y, z],
        "spacing_mm": [sx, sy, sz],
        "spacing_source": volume.metadata.spacing_source.value,
        "spacing_known": volume.spacing_known,
        "axes": _axes(volume.geometry),
        "units": volume.value_units,
        "window": _window(
            volume.window, "CT soft-tissue preset" if volume.modality == "CT" else "pixels"
        ),
        "dtype": str(volume.voxels.dtype),
        "warnings": list(volume.warnings),
    }


def describe_path(path: Path) -> dict[str, Any]:
    """Everything ``vividmed info`` prints, as a JSON-ready dictionary."""
    image_format = detect_format(path)
    if image_format is ImageFormat.DICOM:
        studies = scan_path(path)
        opened = default_series(studies)
        return {
            "path": str(path),
            "format": image_format.value,
            "studies": [_study_facts(s, opened) for s in studies],
        }
    return {
        "path": str(path),
        "format": image_format.value,
        "image": _volume_facts(load_image(path)),
    }


def _image_lines(facts: dict[str, Any], indent: str) -> list[str]:
    x, y, z = facts["size"]
    sx, sy, sz = facts["spacing_mm"]
    size = f"{x}×{y}" if z == 1 else f"{x}×{y}×{z}"
    spacing = f"{sx:.4g}×{sy:.4g}" + ("" if z == 1 else f"×{sz:.4g}") + " mm"
    if not facts["spacing_known"]:
        spacing = "spacing unknown (pixels)"
    axes = ", ".join(f"{axis} {letters}" for axis, letters in facts["axes"].items())
    axes = axes or "not in the header"
    lines = [f"{indent}{size} voxels, {spacing} (source: {facts['spacing_source']})"]
    lines.append(f"{indent}orientation: {axes}")
    if facts.get("units"):
        lines.append(f"{indent}values: {facts['units']}")
    window = facts.get("window")
    if window:
        lines.append(f"{indent}window/level: {window['text']} ({window['source']})")
    lines.extend(f"{indent}warning: {w}" for w in facts.get("warnings", []))
    return lines


def format_text(description: dict[str, Any]) -> str:
    """The human-readable form of :func:`describe_path`'s result."""
    lines = [f"{description['path']} ({description['format']})"]
    if "image" in description:
        image = description["image"]
        lines.append(f"  {image['modality']} {image['description']!r}")
        lines.extend(_image_lines(image, "    "))
        return "\n".join(lines)
    for study in description["studies"]:
        lines.append(
            f"Study {study['description']!r} patient {study['patient_name']!r} "
            f"(ID {study['patient_id']}) date {study['date'] or '?'} uid {study['study_instance_uid']}"
        )
        for series in study["series"]:
            stack = f" stack {series['stack']!r}" if series["stack"] else ""
            opens = " (opens by default)" if series["opens_by_default"] else ""
            lines.append(
                f"  Series {series['modality']} {series['description']!r}{stack}: "
                f"{series['files']} file(s), {series['frames']} frame(s), key {series['key']}"
                f"{opens}"
            )
            lines.extend(_image_lines(series, "    "))
        if study["non_image"]:
            lines.append("  Non-image objects (listed, not shown):")
            for series in study["non_image"]:
                lines.append(
                    f"    {series['modality']} {series['description']!r}: {series['files']} file(s)"
                )
        lines.extend(f"  warning: {w}" for w in study["warnings"])
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    description = describe_path(Path(args.path))
    if args.json:
        print(json.dumps(description, indent=2, ensure_ascii=False))
    else:
        print(format_text(description))
    return 0
