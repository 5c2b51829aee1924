"""PySide6 widgets of VividMed Viewer: main window, panels, actions and workers."""
