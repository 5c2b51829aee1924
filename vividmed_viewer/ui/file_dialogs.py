"""File dialogs of the main window: open an image, a folder, a report, results; screenshot."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from vividmed_viewer.core import VividMedError
from vividmed_viewer.ui.shell import WindowHost

IMAGE_FILTER = "Images (*.dcm *.DCM *.nii *.nii.gz *.png *.jpg *.jpeg DICOMDIR);;All files (*)"
REPORT_FILTER = "Grounded reports (*.json);;All files (*)"


def choose_file(window: WindowHost) -> None:
    """Ask for an image file and open it."""
    path, _ = QFileDialog.getOpenFileName(window.widget(), "Open image", "", IMAGE_FILTER)
    if path:
        window.open_path(path)


def choose_folder(window: WindowHost) -> None:
    """Ask for a DICOM folder and open it."""
    path = QFileDialog.getExistingDirectory(window.widget(), "Open DICOM folder")
    if path:
        window.open_path(path)


def choose_report(window: WindowHost) -> None:
    """Ask for a grounded report (JSON) and show it."""
    path, _ = QFileDialog.getOpenFileName(
        window.widget(), "Open grounded report", "", REPORT_FILTER
    )
    if path:
        window.open_report(path)


def choose_results(window: WindowHost) -> None:
    """Ask for a ``vividmed infer`` results folder; the open image's results show at once."""
    path = QFileDialog.getExistingDirectory(window.widget(), "Open results folder (vividmed infer)")
    if path:
        window.set_results_dir(path)


def choose_screenshot(window: WindowHost) -> None:
    """Ask where to save a PNG of the views and save it."""
    path, _ = QFileDialog.getSaveFileName(
        window.widget(), "Save screenshot", "vividmed.png", "PNG (*.png)"
    )
    if path:
        try:
            window.viewer.save_screenshot(path)
        except (OSError, VividMedError) as error:
            window.show_error("Cannot save screenshot", error)
        else:
            window.show_status(f"Saved {path}", 5000)
