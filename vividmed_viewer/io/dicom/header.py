"""Facts read from one DICOM file's header (no pixels) and from each of its frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.uid import UID

from vividmed_viewer.io.dicom.sop_classes import is_image_object

Vector6 = tuple[float, float, float, float, float, float]


def _floats(value: Any, count: int) -> tuple[float, ...] | None:
    """``count`` floats from a multi-valued element, or None when absent or malformed."""
    if value is None:
        return None
    try:
        values = tuple(float(v) for v in (value if isinstance(value, list | tuple) else [value]))
    except (TypeError, ValueError):
        try:
            values = tuple(float(v) for v in value)
        except (TypeError, ValueError):
            return None
    return values if len(values) == count else None


def first_float(value: Any) -> float | None:
    """The first number of a possibly multi-valued element (window values are often lists)."""
    if value is None or value == "":
        return None
    try:
        return float(value[0]) if not isinstance(value, str | int | float) else float(value)
    except (TypeError, ValueError, IndexError):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None


# Plain-ASCII value representations whose raw bytes can be split without pydicom's
# (slower) value conversion; scanning thousands of headers spends most time there.
ASCII_VRS = frozenset({"DS", "IS", "UI", "CS", "DA", "TM"})
_TAG_OF: dict[str, int] = {}


def _tag(keyword: str) -> int:
    tag = _TAG_OF.get(keyword)
    if tag is None:
        found = tag_for_keyword(keyword)
        if found is None:
            raise KeyError(keyword)
        tag = _TAG_OF[keyword] = int(found)
    return tag


def fast_get(ds: Dataset, keyword: str) -> Any:
    """``ds.get(keyword)``, with ASCII numbers and codes split from the raw bytes.

    Multi-valued ASCII elements come back as a list of strings, single ones as a string.
    """
    tag = _tag(keyword)
    if tag not in ds:
        return None
    element = ds.get_item(tag)
    if isinstance(element, RawDataElement) and isinstance(element.value, bytes):
        vr = element.VR or dictionary_VR(tag)
        if vr in ASCII_VRS:
            text = element.value.decode("ascii", "replace").strip(" \0")
            parts = [part.strip(" \0") for part in text.split("\\")]
            return parts if len(parts) > 1 else parts[0]
    return ds[tag].value


def _text(ds: Dataset, keyword: str) -> str:
    value = fast_get(ds, keyword)
    return "" if value is None else str(value).strip()


@dataclass
class FrameInfo:
    """One 2D frame: where it is in the patient and how its values map to real units."""

    path: Path
    frame_index: int
    position: tuple[float, ...] | None
    orientation: tuple[float, ...] | None
    pixel_spacing: tuple[float, ...] | None
    slope: float = 1.0
    intercept: float = 0.0
    window_center: float | None = None
    window_width: float | None = None
    instance_number: int = 0
    slice_thickness: float | None = None


@dataclass
class SliceHeader:
    """The header of one DICOM file, as far as grouping and loading need it."""

    path: Path
    sop_class_uid: str
    sop_instance_uid: str
    study_instance_uid: str
    series_instance_uid: str
    modality: str
    transfer_syntax_uid: str
    is_image: bool
    rows: int = 0
    columns: int = 0
    number_of_frames: int = 1
    samples_per_pixel: int = 1
    photometric_interpretation: str = "MONOCHROME2"
    bits_allocated: int = 16
    bits_stored: int = 16
    pixel_representation: int = 0
    # File offset of the (7FE0,0010) Pixel Data element, when known (for direct reads).
    pixel_data_offset: int | None = None
    imager_pixel_spacing: tuple[float, ...] | None = None
    spacing_between_slices: float | None = None
    series_number: int | None = None
    patient_name: str = ""
    patient_id: str = ""
    study_description: str = ""
    series_description: str = ""
    study_date: str = ""
    frame_of_reference_uid: str = ""
    body_part: str = ""
    rescale_type: str = ""
    frames: list[FrameInfo] = field(default_factory=list)

    @property
    def is_multiframe(self) -> bool:
        return self.number_of_frames > 1 or len(self.frames) > 1


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _group_item(groups: Dataset | None, sequence: str) -> Dataset | None:
    """The first item of a functional-group macro sequence, if present."""
    if groups is None or sequence not in groups:
        return None
    items = groups[sequence].value
    return items[0] if items else None


def _from_groups(
    keyword: str, sequence: str, per_frame: Dataset | None, shared: Dataset | None
) -> Any:
    """An attribute from the per-frame functional group, else from the shared one."""
    for groups in (per_frame, shared):
        item = _group_item(groups, sequence)
        if item is not None and keyword in item:
            return item.get(keyword)
    return None


def _enhanced_frames(ds: Dataset, path: Path, count: int) -> list[FrameInfo]:
    """Frames of an enhanced multi-frame object from its functional groups."""
    shared_sequence = ds.get("SharedFunctionalGroupsSequence")
    shared = shared_sequence[0] if shared_sequence else None
    per_frame_items = ds.get("PerFrameFunctionalGroupsSequence") or []
    frames: list[FrameInfo] = []
    for index in range(count):
        per_frame = per_frame_items[index] if index < len(per_frame_items) else None

        def get(keyword: str, sequence: str, frame: Dataset | None = per_frame) -> Any:
            return _from_groups(keyword, sequence, frame, shared)

        slope = first_float(get("RescaleSlope", "PixelValueTransformationSequence"))
        intercept = first_float(get("RescaleIntercept", "PixelValueTransformationSequence"))
        frames.append(
            FrameInfo(
                path=path,
                frame_index=index,
                position=_floats(get("ImagePositionPatient", "PlanePositionSequence"), 3),
                orientation=_floats(get("ImageOrientationPatient", "PlaneOrientationSequence"), 6),
                pixel_spacing=_floats(get("PixelSpacing", "PixelMeasuresSequence"), 2),
                slope=1.0 if slope is None else slope,
                intercept=0.0 if intercept is None else intercept,
                window_center=first_float(get("WindowCenter", "FrameVOILUTSequence")),
                window_width=first_float(get("WindowWidth", "FrameVOILUTSequence")),
                instance_number=index + 1,
                slice_thickness=first_float(get("SliceThickness", "PixelMeasuresSequence")),
            )
        )
    return frames


LETTER_DIRECTIONS = {
    "L": (1.0, 0.0, 0.0),
    "R": (-1.0, 0.0, 0.0),
    "P": (0.0, 1.0, 0.0),
    "A": (0.0, -1.0, 0.0),
    "H": (0.0, 0.0, 1.0),
    "F": (0.0, 0.0, -1.0),
}


def orientation_from_letters(value: Any) -> tuple[float, ...] | None:
    """Row and column directions from PatientOrientation (e.g. ["L", "F"]) of a projection image.

    Only the main letter of each value counts; None when absent or not perpendicular.
    """
    try:
        letters = [str(v).strip()[:1].upper() for v in value]
    except TypeError:
        return None
    if len(letters) != 2 or any(letter not in LETTER_DIRECTIONS for letter in letters):
        return None
    row, column = LETTER_DIRECTIONS[letters[0]], LETTER_DIRECTIONS[letters[1]]
    if abs(float(np.dot(row, column))) > 0:
        return None
    return (*row, *column)


def _classic_frames(ds: Dataset, path: Path, count: int) -> list[FrameInfo]:
    """Frames of a classic (single- or multi-frame) object: one position, offsets if any."""
    position = _floats(fast_get(ds, "ImagePositionPatient"), 3)
    orientation = _floats(fast_get(ds, "ImageOrientationPatient"), 6)
    if orientation is None and position is None and "PatientOrientation" in ds:
        orientation = orientation_from_letters(ds.get("PatientOrientation"))
    offsets = fast_get(ds, "GridFrameOffsetVector")
    slope = first_float(fast_get(ds, "RescaleSlope"))
    intercept = first_float(fast_get(ds, "RescaleIntercept"))
    frames: list[FrameInfo] = []
    for index in range(count):
        frame_position = position
        if count > 1 and position is not None and orientation is not None and offsets:
            normal = np.cross(orientation[:3], orientation[3:])
            offset = float(offsets[index]) if index < len(offsets) else 0.0
            frame_position = tuple(float(v) for v in np.asarray(position) + offset * normal)
        elif count > 1:
            frame_position = None
        frames.append(
            FrameInfo(
                path=path,
                frame_index=index,
                position=frame_position,
                orientation=orientation,
                pixel_spacing=_floats(fast_get(ds, "PixelSpacing"), 2),
                slope=1.0 if slope is None else slope,
                intercept=0.0 if intercept is None else intercept,
                window_center=first_float(fast_get(ds, "WindowCenter")),
                window_width=first_float(fast_get(ds, "WindowWidth")),
                instance_number=_int(fast_get(ds, "InstanceNumber"), 0) * max(count, 1) + index,
                slice_thickness=first_float(fast_get(ds, "SliceThickness")),
            )
        )
    return frames


def header_from_dataset(ds: Dataset, path: Path) -> SliceHeader:
    """Build a :class:`SliceHeader` (with its frames) from a dataset read without pixels."""
    meta = getattr(ds, "file_meta", None)
    transfer_syntax = str(meta.get("TransferSyntaxUID", "")) if meta is not None else ""
    sop_class = str(fast_get(ds, "SOPClassUID") or (meta or {}).get("MediaStorageSOPClassUID", ""))
    rows, columns = _int(fast_get(ds, "Rows"), 0), _int(fast_get(ds, "Columns"), 0)
    count = max(_int(fast_get(ds, "NumberOfFrames"), 1), 1)
    header = SliceHeader(
        path=path,
        sop_class_uid=sop_class,
        sop_instance_uid=_text(ds, "SOPInstanceUID"),
        study_instance_uid=_text(ds, "StudyInstanceUID") or "unknown-study",
        series_instance_uid=_text(ds, "SeriesInstanceUID") or f"unknown-series:{path.parent}",
        modality=(_text(ds, "Modality") or "OT").upper(),
        transfer_syntax_uid=transfer_syntax,
        is_image=is_image_object(UID(sop_class) if sop_class else None, rows, columns),
        rows=rows,
        columns=columns,
        number_of_frames=count,
        samples_per_pixel=_int(fast_get(ds, "SamplesPerPixel"), 1),
        photometric_interpretation=_text(ds, "PhotometricInterpretation") or "MONOCHROME2",
        bits_allocated=_int(fast_get(ds, "BitsAllocated"), 16),
        bits_stored=_int(fast_get(ds, "BitsStored"), 16),
        pixel_representation=_int(fast_get(ds, "PixelRepresentation"), 0),
        imager_pixel_spacing=_floats(fast_get(ds, "ImagerPixelSpacing"), 2),
        spacing_between_slices=first_float(fast_get(ds, "SpacingBetweenSlices")),
        series_number=_int(fast_get(ds, "SeriesNumber"), 0) if "SeriesNumber" in ds else None,
        patient_name=_text(ds, "PatientName"),
        patient_id=_text(ds, "PatientID"),
        study_description=_text(ds, "StudyDescription"),
        series_description=_text(ds, "SeriesDescription"),
        study_date=_text(ds, "StudyDate"),
        frame_of_reference_uid=_text(ds, "FrameOfReferenceUID"),
        body_part=_text(ds, "BodyPartExamined"),
        rescale_type=_text(ds, "RescaleType"),
    )
    if header.is_image:
        if "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds:
            header.frames = _enhanced_frames(ds, path, count)
        else:
            header.frames = _classic_frames(ds, path, count)
    return header
