"""Fixed seed ranges of the phantom splits; the test range is never used for training."""

from __future__ import annotations

from typing import Literal

from vividmed_viewer.core import TrainingError

Split = Literal["train", "val", "test"]
SPLIT_SEEDS: dict[str, range] = {
    "train": range(0, 1_000_000),
    "val": range(1_000_000, 1_010_000),
    "test": range(2_000_000, 2_010_000),
}


def seeds_for(split: str, count: int, start: int = 0) -> list[int]:
    """``count`` seeds of a split, beginning ``start`` seeds into its range."""
    if split not in SPLIT_SEEDS:
        raise TrainingError(f"unknown split '{split}' (expected one of {sorted(SPLIT_SEEDS)})")
    seeds = SPLIT_SEEDS[split]
    if count < 0 or start < 0 or start + count > len(seeds):
        raise TrainingError(
            f"split '{split}' holds {len(seeds)} seeds; cannot take {count} from offset {start}"
        )
    return list(seeds[start : start + count])


def split_of(seed: int) -> str | None:
    """The split a seed belongs to, or None when it is in no split."""
    for name, seeds in SPLIT_SEEDS.items():
        if seed in seeds:
            return name
    return None


def check_training_seeds(seeds: list[int] | range) -> None:
    """Raise when any seed lies in the held-out test range (call before training on phantoms)."""
    test = SPLIT_SEEDS["test"]
    leaked = [seed for seed in seeds if seed in test]
    if leaked:
        raise TrainingError(
            f"{len(leaked)} phantom seed(s) such as {leaked[0]} are in the held-out test range "
            f"{test.start}..{test.stop - 1}; never train on them"
        )
