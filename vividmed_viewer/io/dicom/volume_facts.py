"""Facts of a volume decided from headers: value type, window, in-plane spacing, metadata."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vividmed_viewer.core.image_volume import SpacingSource, VolumeMetadata
from vividmed_viewer.core.units import value_units
from vividmed_viewer.core.window import WindowLevel
from vividmed_viewer.io.dicom.header import FrameInfo, SliceHeader
from vividmed_viewer.io.dicom.sop_classes import RADIOGRAPH_MODALITIES


def output_dtype(headers: list[SliceHeader], frames: list[FrameInfo]) -> np.dtype[np.generic]:
    """int16 (or uint16/int32) when the rescaled values are whole numbers that fit, else float32."""
    if any(
        h.samples_per_pixel > 1 or h.photometric_interpretation == "PALETTE COLOR" for h in headers
    ):
        return np.dtype(np.float32)
    if any(h.bits_stored > 16 for h in headers):
        return np.dtype(np.float32)
    for frame in frames:
        if frame.slope != round(frame.slope) or frame.intercept != round(frame.intercept):
            return np.dtype(np.float32)
    low, high = 0.0, 0.0
    rescales = {(f.slope, f.intercept) for f in frames}
    for bits_stored, signed in {(h.bits_stored, h.pixel_representation) for h in headers}:
        bits = max(bits_stored, 1)
        stored_low = -(2 ** (bits - 1)) if signed else 0
        stored_high = 2 ** (bits - 1) - 1 if signed else 2**bits - 1
        for slope, intercept in rescales:
            ends = (stored_low * slope + intercept, stored_high * slope + intercept)
            low, high = min(low, *ends), max(high, *ends)
    for candidate in (np.int16, np.uint16, np.int32):
        info = np.iinfo(candidate)
        if info.min <= low and high <= info.max:
            return np.dtype(candidate)
    return np.dtype(np.float32)


def storage_dtype(headers: list[SliceHeader]) -> np.dtype[np.generic]:
    """The container of the stored values (before rescale) of 16-bit-or-less grayscale data."""
    signed = any(h.pixel_representation for h in headers)
    return np.dtype(np.int16 if signed else np.uint16)


def can_defer_intercept(frames: list[FrameInfo]) -> bool:
    """True when all frames share slope 1 and one whole intercept (applied after decoding)."""
    return all(f.slope == 1.0 for f in frames) and len({f.intercept for f in frames}) == 1


def header_window(frames: list[FrameInfo]) -> WindowLevel | None:
    """The window stored in the header (of the middle frame; first value when multi-valued)."""
    middle = frames[len(frames) // 2]
    for frame in (middle, *frames):
        if frame.window_center is not None and frame.window_width and frame.window_width > 0:
            return WindowLevel(center=frame.window_center, width=frame.window_width)
    return None


@dataclass(frozen=True)
class InPlaneSpacing:
    """Row and column spacing (mm) and where they came from."""

    row: float
    column: float
    source: SpacingSource

    @property
    def known(self) -> bool:
        return self.source is not SpacingSource.UNKNOWN


def in_plane_spacing(header: SliceHeader, frame: FrameInfo) -> InPlaneSpacing:
    """PixelSpacing, else ImagerPixelSpacing for radiographs, else unknown (1 mm)."""
    spacing = frame.pixel_spacing
    if spacing is not None and min(spacing) > 0:
        return InPlaneSpacing(spacing[0], spacing[1], SpacingSource.PIXEL_SPACING)
    imager = header.imager_pixel_spacing
    if (
        imager is not None
        and min(imager) > 0
        and (header.modality in RADIOGRAPH_MODALITIES or frame.position is None)
    ):
        return InPlaneSpacing(imager[0], imager[1], SpacingSource.IMAGER_PIXEL_SPACING)
    return InPlaneSpacing(1.0, 1.0, SpacingSource.UNKNOWN)


def units_of(header: SliceHeader) -> str:
    """ "HU" for CT, the RescaleType when given, else "raw" (:func:`core.units.value_units`)."""
    return value_units(header.modality, header.rescale_type)


def volume_metadata(
    header: SliceHeader, paths: list[str], spacing_source: SpacingSource
) -> VolumeMetadata:
    """Descriptive metadata from the first header of a stack."""
    return VolumeMetadata(
        patient_name=header.patient_name,
        patient_id=header.patient_id,
        study_description=header.study_description,
        series_description=header.series_description,
        study_instance_uid=header.study_instance_uid,
        series_instance_uid=header.series_instance_uid,
        frame_of_reference_uid=header.frame_of_reference_uid,
        body_part=header.body_part,
        source_paths=paths,
        photometric_interpretation=header.photometric_interpretation,
        units=units_of(header),
        spacing_source=spacing_source,
    )
