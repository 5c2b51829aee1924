"""Frozen entry point of the command line (``vividmed`` in the bundle)."""

from vividmed_viewer.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
