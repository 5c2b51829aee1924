"""DICOM: scan folders into studies and series, load series as volumes, write series."""

from vividmed_viewer.io.dicom.loader import load_series, read_preview
from vividmed_viewer.io.dicom.scan import scan_path
from vividmed_viewer.io.dicom.writer import write_dicom_radiograph, write_dicom_series

__all__ = [
    "load_series",
    "read_preview",
    "scan_path",
    "write_dicom_radiograph",
    "write_dicom_series",
]
