"""Logging for both entry points: the console as before, plus a rotating file per user.

The file lies in ``platformdirs.user_log_dir("vividmed")`` (``$XDG_STATE_HOME/vividmed/log``
on Linux, ``~/Library/Logs/vividmed`` on macOS, ``%LOCALAPPDATA%\\vividmed\\Logs`` on
Windows); ``$VIVIDMED_LOG_DIR`` overrides it. Help ▸ Open Log File opens it.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

APP_NAME = "vividmed"
LOG_FILE_NAME = "vividmed.log"
LOG_DIR_ENVIRONMENT = "VIVIDMED_LOG_DIR"
MAX_LOG_BYTES = 2_000_000
LOG_BACKUPS = 3
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_FILE_HANDLER = "vividmed-log-file"
_CONSOLE_HANDLER = "vividmed-console"


def log_dir() -> Path:
    """The folder of the log file (not created here)."""
    override = os.environ.get(LOG_DIR_ENVIRONMENT)
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME))


def log_file_path() -> Path:
    """Where :func:`configure_logging` writes (the file may not exist yet)."""
    return log_dir() / LOG_FILE_NAME


def configure_logging(verbose: bool = False) -> Path:
    """Console at WARNING (INFO when ``verbose``) and the log file at INFO; returns the file.

    Calling it again replaces the file handler it installed before. When the folder cannot
    be written the file is skipped and a warning says so on the console.
    """
    root = logging.getLogger()
    console_level = logging.INFO if verbose else logging.WARNING
    ours = {handler.get_name(): handler for handler in root.handlers}
    old_file = ours.get(_FILE_HANDLER)
    if old_file is not None:
        root.removeHandler(old_file)
        old_file.close()
    console = ours.get(_CONSOLE_HANDLER)
    if console is None and not root.handlers:  # as logging.basicConfig: only where none is set
        console = logging.StreamHandler()
        console.set_name(_CONSOLE_HANDLER)
        console.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        root.addHandler(console)
    if console is not None:
        console.setLevel(console_level)
    root.setLevel(logging.INFO)
    path = log_file_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = RotatingFileHandler(
            path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as error:
        logging.getLogger(__name__).warning("no log file at %s: %s", path, error)
        return path
    file_handler.set_name(_FILE_HANDLER)
    file_handler.setLevel(logging.INFO)
    file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
    root.addHandler(file_handler)
    return path
