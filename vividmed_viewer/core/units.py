"""The units a user reads: of voxel values (HU for CT, else what the file states, else raw)
and of lengths and positions (mm when the pixel spacing is known, else px).

Every reader, view, status bar and CLI asks these functions instead of deciding itself.
"""

from __future__ import annotations

HOUNSFIELD_UNITS = "HU"
RAW_UNITS = "raw"
MILLIMETRES = "mm"
PIXELS = "px"

# Stated units that say nothing: empty, our own "raw", and DICOM RescaleType "US"
# ("unspecified", which our writer and many scanners store for non-CT images).
_UNSTATED = frozenset({"", "raw", "none", "us"})


def value_units(modality: str, stated: str | None = None) -> str:
    """The units of an image's voxel values, as shown next to a value.

    "HU" for CT (whatever else is stated); else the stated units (a DICOM RescaleType
    such as "OD", or the reader's metadata) when they say something; else "raw".
    """
    if (modality or "").strip().upper() == "CT":
        return HOUNSFIELD_UNITS
    text = (stated or "").strip()
    if text.lower() in _UNSTATED:
        return RAW_UNITS
    return text


def has_units(units: str) -> bool:
    """False for values without physical units ("raw", empty, DICOM "US")."""
    return (units or "").strip().lower() not in _UNSTATED


def format_value(value: float | None, units: str) -> str:
    """A voxel value as the status bar shows it: '−600 HU', 'value 1234'; '' for None.

    Whole numbers and values of 100 or more are shown without decimals, smaller values
    with four significant digits (so a 0–1 image reads '0.2503', not '0.25' or '0').
    """
    if value is None:
        return ""
    number = float(value)
    text = f"{number:.0f}" if number.is_integer() or abs(number) >= 100 else f"{number:.4g}"
    text = text.replace("-", "−")
    if has_units(units):
        return f"{text} {units.strip()}"
    return f"value {text}"


def length_unit(spacing_known: bool) -> str:
    """The unit of distances and positions on an image: "mm", or "px" without pixel spacing."""
    return MILLIMETRES if spacing_known else PIXELS
