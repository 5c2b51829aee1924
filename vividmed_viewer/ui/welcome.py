"""The welcome dialog: sample cases, recent files, Open File/Folder (first run and Help ▸ Welcome).

On the first start (no recent files, and the welcome never shown) ``vividmed-viewer`` opens
it once the main window is on screen; Help ▸ Welcome opens it at any time. Its buttons do
what the File menu does, so choosing one closes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from vividmed_viewer.core.taxonomy import RESOURCES_DIR
from vividmed_viewer.ui import file_dialogs
from vividmed_viewer.ui.settings import RecentFiles
from vividmed_viewer.ui.shell import WindowHost

SAMPLE_CT = RESOURCES_DIR / "samples" / "phantom_chest" / "ct.nii.gz"
SAMPLE_RADIOGRAPH_NAME = "RG1_UNCR.dcm"  # a chest radiograph in pydicom-data's test files
WELCOME_SHOWN_KEY = "welcome/shown"


def sample_radiograph() -> Path | None:
    """pydicom-data's sample radiograph, None when that package is not installed.

    pydicom is imported here, on first use, not when the window starts; nothing is
    downloaded.
    """
    from pydicom.data import get_testdata_file

    found = get_testdata_file(SAMPLE_RADIOGRAPH_NAME, download=False)
    return Path(str(found)) if found is not None else None


def is_first_run(settings: QSettings) -> bool:
    """No file was ever opened and the welcome was never shown."""
    shown = settings.value(WELCOME_SHOWN_KEY, False, type=bool)
    return not RecentFiles(settings).paths and not shown


class WelcomeDialog(QDialog):
    """Start here: open a sample case, a recent file, or a file or folder of one's own."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window.widget())
        self.host = window
        self.setObjectName("welcome_dialog")
        self.setWindowTitle("Welcome to VividMed Viewer")
        intro = QLabel(
            "Open an image to start: a sample case, a recent file, or your own DICOM folder, "
            "DICOM file, NIfTI volume or PNG/JPEG radiograph. Generate (Model menu) writes a "
            "grounded report with the model, which loads in the background on first use."
        )
        intro.setWordWrap(True)
        self.sample_ct_button = self._button("Open sample chest CT", self.open_sample_ct)
        self.sample_ct_button.setToolTip(f"A synthetic chest phantom: {SAMPLE_CT.name}")
        self.sample_radiograph_button = self._button(
            "Open sample radiograph", self.open_sample_radiograph
        )
        self.sample_radiograph_button.setToolTip(
            f"{SAMPLE_RADIOGRAPH_NAME} from pydicom-data's test files"
        )
        self.open_file_button = self._button("Open File…", self._open_file)
        self.open_folder_button = self._button("Open Folder…", self._open_folder)
        buttons = QGridLayout()
        buttons.addWidget(self.sample_ct_button, 0, 0)
        buttons.addWidget(self.sample_radiograph_button, 0, 1)
        buttons.addWidget(self.open_file_button, 1, 0)
        buttons.addWidget(self.open_folder_button, 1, 1)
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("welcome_recent")
        for path in RecentFiles(window.settings).paths:
            item = QListWidgetItem(Path(path).name or path)
            item.setToolTip(path)
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent_list.addItem(item)
        self.recent_list.itemActivated.connect(self._open_recent)
        recent_label = QLabel("Recent files" if self.recent_list.count() else "No recent files")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(recent_label)
        layout.addWidget(self.recent_list)
        layout.addWidget(close)
        self.resize(520, 380)

    def _button(self, label: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(label, self)
        button.clicked.connect(slot)
        return button

    def _open(self, path: str | Path) -> None:
        self.accept()
        self.host.open_path(path)

    def open_sample_ct(self) -> None:
        self._open(SAMPLE_CT)

    def open_sample_radiograph(self) -> None:
        path = sample_radiograph()
        if path is None:
            self.host.show_error(
                "No sample radiograph",
                f"{SAMPLE_RADIOGRAPH_NAME} comes with the pydicom-data package, "
                "which is not installed.",
            )
            return
        self._open(path)

    def _open_recent(self, item: QListWidgetItem) -> None:
        self._open(str(item.data(Qt.ItemDataRole.UserRole)))

    def _open_file(self) -> None:
        self.accept()
        file_dialogs.choose_file(self.host)

    def _open_folder(self) -> None:
        self.accept()
        file_dialogs.choose_folder(self.host)


def show_welcome(window: WindowHost) -> WelcomeDialog:
    """Open the welcome dialog (not modal: the window stays usable) and remember it was shown."""
    dialog = WelcomeDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.settings.setValue(WELCOME_SHOWN_KEY, True)
    window.settings.sync()
    dialog.show()
    return dialog


def show_welcome_on_first_run(window: WindowHost) -> WelcomeDialog | None:
    """The welcome dialog on the first start, else nothing."""
    return show_welcome(window) if is_first_run(window.settings) else None
