"""Decode the pixels of DICOM frames into grayscale 2D arrays (no rescale applied here)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, get_decoder
from pydicom.uid import UID, JPEGLSLossless, JPEGLSNearLossless

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.io.dicom.header import SliceHeader
from vividmed_viewer.io.dicom.reading import read_dataset

logger = logging.getLogger(__name__)

# CharLS (pyjpegls) decodes JPEG-LS about 3x faster than libjpeg, pydicom's first choice.
PREFERRED_PLUGINS: dict[str, str] = {JPEGLSLossless: "pyjpegls", JPEGLSNearLossless: "pyjpegls"}
PIXEL_DATA_TAG = b"\xe0\x7f\x10\x00"
LUMINANCE_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _plugin_for(transfer_syntax: UID) -> str:
    """The decoding plugin to use (empty: pydicom's choice)."""
    preferred = PREFERRED_PLUGINS.get(transfer_syntax, "")
    if not preferred:
        return ""
    decoder = get_decoder(transfer_syntax)
    return preferred if preferred in decoder.available_plugins else ""


def to_grayscale(frame: NDArray[np.generic], dataset: Dataset) -> NDArray[np.generic]:
    """A 2D grayscale frame from a decoded one (palette and RGB become luminance)."""
    photometric = str(dataset.get("PhotometricInterpretation", "MONOCHROME2"))
    if photometric == "PALETTE COLOR":
        frame = apply_color_lut(frame, dataset)
    if frame.ndim == 3:
        return np.asarray(frame[..., :3].astype(np.float32) @ LUMINANCE_WEIGHTS)
    return frame


def decode_dataset_frames(
    dataset: Dataset, path: Path, frame_indices: list[int]
) -> list[NDArray[np.generic]]:
    """Grayscale arrays of the given frames of a dataset read with its pixels."""
    if "PixelData" not in dataset and "FloatPixelData" not in dataset:
        raise DicomError(path, "the file holds no pixel data")
    transfer_syntax = UID(dataset.file_meta.get("TransferSyntaxUID", "1.2.840.10008.1.2.1"))
    try:
        decoder = get_decoder(transfer_syntax)
    except NotImplementedError as error:
        raise DicomError(
            path, f"transfer syntax {transfer_syntax.name or transfer_syntax} is not supported"
        ) from error
    if not decoder.is_available:
        raise DicomError(
            path,
            f"no decoder installed for {transfer_syntax.name}: install pylibjpeg, "
            "pylibjpeg-libjpeg and pylibjpeg-openjpeg",
        )
    plugin = _plugin_for(transfer_syntax)
    frames_in_file = int(dataset.get("NumberOfFrames", 1) or 1)
    result: list[NDArray[np.generic]] = []
    for frame_index in frame_indices:
        index = frame_index if frames_in_file > 1 else None
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                array, _ = decoder.as_array(dataset, index=index, decoding_plugin=plugin)
            for warning in caught:
                logger.debug("%s: pydicom: %s", path, warning.message)
        except (ValueError, RuntimeError, KeyError, TypeError, IndexError, EOFError) as error:
            raise DicomError(
                path, f"frame {frame_index + 1} could not be decoded ({error})"
            ) from error
        if array.ndim == 4 or (array.ndim == 3 and index is None and frames_in_file > 1):
            array = array[0]
        result.append(to_grayscale(array, dataset))
    return result


def decode_file_frames(path: Path, frame_indices: list[int]) -> list[NDArray[np.generic]]:
    """Read a file and decode some of its frames (usable in a worker process)."""
    dataset = read_dataset(path, stop_before_pixels=False)
    return decode_dataset_frames(dataset, path, frame_indices)


def decode_encapsulated_frame(header: SliceHeader) -> NDArray[np.generic]:
    """Decode a single-frame compressed grayscale file from its pixel bytes (no dataset parse)."""
    path = header.path
    assert header.pixel_data_offset is not None
    try:
        with path.open("rb") as handle:
            handle.seek(header.pixel_data_offset)
            element = handle.read(12)
            if element[:4] != PIXEL_DATA_TAG:
                raise DicomError(path, "pixel data not where the header said (file changed?)")
            encapsulated = handle.read()
    except OSError as error:
        raise DicomError(path, f"pixel data cannot be read ({error})") from error
    transfer_syntax = UID(header.transfer_syntax_uid)
    decoder = get_decoder(transfer_syntax)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            options: dict[str, Any] = {
                "rows": header.rows,
                "columns": header.columns,
                "samples_per_pixel": 1,
                "bits_allocated": header.bits_allocated,
                "bits_stored": header.bits_stored,
                "pixel_representation": header.pixel_representation,
                "photometric_interpretation": header.photometric_interpretation,
                "number_of_frames": 1,
            }
            array, _ = decoder.as_array(
                encapsulated, decoding_plugin=_plugin_for(transfer_syntax), **options
            )
        for warning in caught:
            logger.debug("%s: pydicom: %s", path, warning.message)
    except (ValueError, RuntimeError, KeyError, TypeError, IndexError, EOFError) as error:
        raise DicomError(path, f"the slice could not be decoded ({error})") from error
    return array


def can_decode_encapsulated(header: SliceHeader) -> bool:
    """Single-frame grayscale compressed files can skip the dataset parse."""
    return (
        header.pixel_data_offset is not None
        and header.number_of_frames == 1
        and header.samples_per_pixel == 1
        and header.photometric_interpretation in ("MONOCHROME1", "MONOCHROME2")
        and UID(header.transfer_syntax_uid).is_compressed
        and get_decoder(UID(header.transfer_syntax_uid)).is_available
    )


def decode_error_message(error: Exception) -> str:
    """The problem part of a decode failure, for warnings."""
    return error.problem if isinstance(error, DicomError) else f"{type(error).__name__}: {error}"
