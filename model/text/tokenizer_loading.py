"""Loading the tokenizer a config names and adding the VividMed tags to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.text.special_tokens import TokenIds, add_vividmed_tokens
from vividmed_viewer.core.errors import CheckpointError

TOKENIZERS_DIR = Path(__file__).resolve().parents[2] / "resources" / "tokenizers"


def tokenizer_directory(reference: str) -> Path:
    """A bundled tokenizer name (``tiny``) or a directory → the directory to load."""
    bundled = TOKENIZERS_DIR / reference
    if (bundled / "tokenizer.json").is_file():
        return bundled
    path = Path(reference).expanduser()
    if not path.is_dir():
        raise CheckpointError(
            f"{path}: tokenizer not found (neither a directory nor a bundled tokenizer in "
            f"{TOKENIZERS_DIR})"
        )
    return path


def load_tokenizer(directory: str | Path) -> tuple[Any, TokenIds]:
    """Load a tokenizer from a directory (offline) and make sure it has the VividMed tags."""
    from transformers import AutoTokenizer

    directory = Path(directory)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{directory}: cannot load a tokenizer: {error}") from error
    return tokenizer, add_vividmed_tokens(tokenizer)
