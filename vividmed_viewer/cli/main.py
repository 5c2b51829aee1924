"""``vividmed``: the command-line entry point; each subcommand lives in its own module.

A command module defines ``add_arguments(parser)`` and ``run(args) -> int`` and is imported
only when its command runs, so ``vividmed info`` does not pay for torch or Qt.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from vividmed_viewer.core.errors import VividMedError
from vividmed_viewer.logs import configure_logging
from vividmed_viewer.version import app_version

# name → (module, one-line help). Modules are imported lazily.
COMMANDS: dict[str, tuple[str, str]] = {
    "info": ("vividmed_viewer.cli.info", "describe the images in a file or folder"),
    "screenshot": ("vividmed_viewer.cli.screenshot", "render an image (and report) to PNG"),
    "demo": ("vividmed_viewer.cli.demo", "run the main job on the shipped samples"),
    "infer": ("vividmed_viewer.inference.batch_cli", "run the model on a case list"),
    "report": ("vividmed_viewer.cli.stream_report", "stream a grounded report in the terminal"),
    "export": ("vividmed_viewer.cli.export", "write a result bundle as DICOM SEG + SR"),
    "train": ("training.cli_train", "train the model (stages 0-3)"),
    "evaluate": ("training.cli_evaluate", "evaluate a checkpoint on a data split"),
    "synthesize": ("training.synthesis.cli", "write synthetic phantom cases"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vividmed", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        subparsers.add_parser(name, help=help_text, add_help=False)
        del module_name
    return parser


def _load_command(name: str) -> Any:
    module_name, _ = COMMANDS[name]
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise SystemExit(
                f"vividmed {name}: this command is not available in this build"
            ) from error
        raise


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    arguments = list(sys.argv[1:] if argv is None else argv)
    top = build_parser()
    verbose = "-v" in arguments or "--verbose" in arguments
    arguments = [a for a in arguments if a not in ("-v", "--verbose")]
    if arguments[:1] == ["--version"]:
        print(f"vividmed {app_version()}")
        return 0
    if not arguments or arguments[0] not in COMMANDS:
        top.print_help()
        return 0 if not arguments or arguments[0] in ("-h", "--help") else 2
    configure_logging(verbose)
    name = arguments[0]
    module = _load_command(name)
    parser = argparse.ArgumentParser(prog=f"vividmed {name}", description=COMMANDS[name][1])
    module.add_arguments(parser)
    args = parser.parse_args(arguments[1:])
    try:
        return int(module.run(args))
    except VividMedError as error:
        print(f"vividmed {name}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
