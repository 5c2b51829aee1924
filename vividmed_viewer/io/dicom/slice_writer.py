"""Store decoded (or directly read) slices into the preallocated volume and apply the rescale.

Most CTs store unsigned 16-bit values with intercept -1024 whose theoretical range does not
fit int16 although the real values do. For those the volume is kept in a 16-bit container
and each slice is shifted in place (wrapping arithmetic) once its range is known to fit, so
the result is a view as int16 with no full-size temporary.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.io.dicom.header import FrameInfo, SliceHeader

PIXEL_DATA_TAG = b"\xe0\x7f\x10\x00"
INT16_MIN, INT16_MAX = -32768, 32767


@dataclass
class SliceWriter:
    """Writes slices into ``out``; ``shared_intercept`` set means the deferred int16 mode."""

    out: NDArray[np.generic]
    shared_intercept: int | None = None
    overflowed: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _rescale(self, z: int, frame: FrameInfo) -> None:
        target = self.out[z]
        if self.shared_intercept is not None:
            low = int(target.min()) + self.shared_intercept
            high = int(target.max()) + self.shared_intercept
            signed = np.issubdtype(target.dtype, np.signedinteger)
            if (
                low < INT16_MIN
                or high > INT16_MAX
                or (signed and not INT16_MIN <= self.shared_intercept <= INT16_MAX)
            ):
                with self._lock:
                    self.overflowed.append(z)
                return
            if signed:
                target += np.int16(self.shared_intercept)
            else:
                # Wrapping uint16 add gives the right int16 bit pattern (the result fits).
                target += np.uint16(self.shared_intercept % 65536)
            return
        if np.issubdtype(self.out.dtype, np.integer):
            if frame.slope != 1.0:
                target *= int(frame.slope)
            if frame.intercept != 0.0:
                target += int(frame.intercept)
        else:
            if frame.slope != 1.0:
                target *= np.float32(frame.slope)
            if frame.intercept != 0.0:
                target += np.float32(frame.intercept)

    def store(self, z: int, pixels: NDArray[np.generic], frame: FrameInfo) -> None:
        """Copy decoded stored values into slice ``z`` and rescale them there."""
        self.out[z] = pixels
        self._rescale(z, frame)

    def can_read_directly(self, header: SliceHeader) -> bool:
        """Whether the file's raw pixel bytes are exactly this container's slice bytes."""
        if (
            header.pixel_data_offset is None
            or header.transfer_syntax_uid not in (ExplicitVRLittleEndian, ImplicitVRLittleEndian)
            or header.samples_per_pixel != 1
            or header.bits_allocated != 16
            or header.number_of_frames != 1
            or self.out.dtype.itemsize != 2
            or self.out.dtype.byteorder == ">"
        ):
            return False
        signed_out = np.issubdtype(self.out.dtype, np.signedinteger)
        if header.pixel_representation:
            return signed_out and header.bits_stored == 16
        return not signed_out or header.bits_stored <= 15

    def read_directly(self, z: int, header: SliceHeader, frame: FrameInfo) -> None:
        """Read the uncompressed pixel bytes straight into slice ``z`` (no decode, no copy)."""
        target = self.out[z]
        assert header.pixel_data_offset is not None
        path: Path = header.path
        try:
            with path.open("rb") as handle:
                handle.seek(header.pixel_data_offset)
                element = handle.read(12)
                if element[:4] != PIXEL_DATA_TAG:
                    raise DicomError(path, "pixel data not where the header said (file changed?)")
                explicit = header.transfer_syntax_uid == ExplicitVRLittleEndian
                length_bytes = element[8:12] if explicit else element[4:8]
                handle.seek(header.pixel_data_offset + (12 if explicit else 8))
                length = int.from_bytes(length_bytes, "little")
                if length < target.nbytes:
                    raise DicomError(
                        path, f"pixel data holds {length} bytes, {target.nbytes} expected"
                    )
                read = handle.readinto(memoryview(target).cast("B"))
        except OSError as error:
            raise DicomError(path, f"pixel data cannot be read ({error})") from error
        if read != target.nbytes:
            raise DicomError(path, f"pixel data truncated ({read} of {target.nbytes} bytes)")
        self._rescale(z, frame)

    def finish(self) -> NDArray[np.generic]:
        """The rescaled volume (an int16 view in deferred mode, int32 if some slice overflowed)."""
        if self.shared_intercept is None:
            return self.out
        as_int16 = self.out.view(np.int16)
        if not self.overflowed:
            return as_int16
        result = as_int16.astype(np.int32)
        for z in self.overflowed:
            result[z] = self.out[z].astype(np.int32) + self.shared_intercept
        return result
