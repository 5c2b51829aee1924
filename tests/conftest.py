"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The command lines write a log file (vividmed_viewer/logs.py): the suite's go to a
# temporary folder, never into the user's log.
os.environ.setdefault("VIVIDMED_LOG_DIR", tempfile.mkdtemp(prefix="vividmed-test-logs-"))
