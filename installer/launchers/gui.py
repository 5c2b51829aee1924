"""Frozen entry point of the desktop app (``VividMed`` in the bundle)."""

from vividmed_viewer.ui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
