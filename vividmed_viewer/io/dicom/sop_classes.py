"""Which DICOM objects are images the viewer can show, and which are only listed."""

from __future__ import annotations

from pydicom.uid import UID, MediaStorageDirectoryStorage

# Modalities whose single images are projection radiographs (no patient position).
RADIOGRAPH_MODALITIES = frozenset({"CR", "DX", "MG", "IO", "PX", "RF", "XA", "RG"})


def is_image_object(sop_class_uid: UID | None, rows: int, columns: int) -> bool:
    """True for objects whose pixels are an image (not SEG, SR, RT, presentation states…)."""
    if rows <= 0 or columns <= 0:
        return False
    if sop_class_uid is None:
        return True
    name = sop_class_uid.name
    if not name or name == str(sop_class_uid):
        # An unknown (private) SOP class with pixel dimensions: try to show it.
        return True
    return "Image Storage" in name


def is_directory_object(sop_class_uid: str) -> bool:
    """True for a DICOMDIR (media storage directory), which describes other files."""
    return sop_class_uid == MediaStorageDirectoryStorage
