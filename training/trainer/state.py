"""What a run needs besides the weights to continue exactly: step counters and random states."""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from vividmed_viewer.core.errors import TrainingError


@dataclass
class TrainerState:
    """Counters of one stage's run; saved as JSON next to every checkpoint."""

    stage: int
    step: int = 0
    samples_seen: int = 0
    total_steps: int = 0
    global_batch: int = 0
    recipe: str = ""
    elapsed_s: float = 0.0
    last_loss: float | None = None
    init: str = ""

    def save(self, path: Path) -> None:
        """Write the counters to ``path`` as JSON."""
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TrainerState:
        """Read counters written by ``save``; a ``TrainingError`` naming the file if unreadable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, json.JSONDecodeError, TypeError) as error:
            raise TrainingError(f"{path}: not a trainer state file ({error})") from error


def capture_rng_state() -> dict[str, Any]:
    """The random states of torch (CPU and every CUDA device), numpy and ``random``."""
    numpy_state = cast(tuple[Any, ...], np.random.get_state(legacy=True))
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy_keys": torch.from_numpy(np.asarray(numpy_state[1], dtype=np.int64)),
        "numpy_meta": [
            str(numpy_state[0]),
            int(numpy_state[2]),
            int(numpy_state[3]),
            float(numpy_state[4]),
        ],
        "python": json.dumps(random.getstate()),
    }


def restore_rng_state(state: dict[str, Any]) -> None:
    """Put back random states captured by ``capture_rng_state``."""
    torch.set_rng_state(state["torch"])
    if state.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    name, position, has_gauss, cached = state["numpy_meta"]
    keys = state["numpy_keys"].numpy().astype(np.uint32)
    np.random.set_state((name, keys, int(position), int(has_gauss), float(cached)))
    version, internal, gauss = json.loads(state["python"])
    random.setstate((version, tuple(internal), gauss))
