"""PyInstaller runtime hook: run as the venv does (offline, bundled Qt and VTK plugins)."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("USE_HUB_KERNELS", "0")  # transformers' hub kernels are downloads
