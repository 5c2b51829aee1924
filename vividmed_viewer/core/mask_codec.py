"""Compact, lossless JSON encoding of label maps (zlib-compressed bytes in base64)."""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vividmed_viewer.core.errors import SerializationError


def encode_label_map(label_map: NDArray[np.integer]) -> dict[str, Any]:
    array = np.ascontiguousarray(label_map)
    payload = base64.b64encode(zlib.compress(array.tobytes(), level=6)).decode("ascii")
    return {"dtype": str(array.dtype), "shape": list(array.shape), "zlib_base64": payload}


def decode_label_map(data: dict[str, Any]) -> NDArray[np.integer]:
    try:
        raw = zlib.decompress(base64.b64decode(data["zlib_base64"]))
        array = np.frombuffer(raw, dtype=np.dtype(data["dtype"]))
        return array.reshape(tuple(data["shape"])).copy()
    except (KeyError, ValueError, TypeError, zlib.error) as error:
        raise SerializationError(f"mask data cannot be decoded: {error}") from error
