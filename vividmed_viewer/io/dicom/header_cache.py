"""Headers read during a scan, kept so loading the series does not parse them again."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from vividmed_viewer.core.errors import DicomError
from vividmed_viewer.io.dicom.header import SliceHeader
from vividmed_viewer.io.dicom.reading import read_header

MAX_CACHED_HEADERS = 50_000
_cache: dict[tuple[str, int, int], SliceHeader] = {}
_lock = threading.Lock()


def cached_header(path: Path) -> SliceHeader:
    """The file's header, from the cache when the file has not changed since it was read."""
    try:
        status = os.stat(path)
    except OSError as error:
        raise DicomError(path, f"cannot be read ({error.strerror or error})") from error
    key = (str(path), status.st_mtime_ns, status.st_size)
    with _lock:
        header = _cache.get(key)
    if header is not None:
        return header
    header = read_header(path)
    with _lock:
        if len(_cache) >= MAX_CACHED_HEADERS:
            for old_key in list(_cache)[: MAX_CACHED_HEADERS // 4]:
                del _cache[old_key]
        _cache[key] = header
    return header


def clear_header_cache() -> None:
    """Forget every cached header."""
    with _lock:
        _cache.clear()
