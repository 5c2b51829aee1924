"""A resumable sample order: which dataset index each process reads at every optimizer step.

The order is a function of (seed, step) only, so a resumed run reads exactly the samples
a run without interruption would have read, with no data-loader state to save.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class BatchLayout:
    """How a global batch splits over processes, accumulation and micro-batches."""

    global_batch: int
    micro_batch: int
    world_size: int = 1

    @property
    def accumulation_steps(self) -> int:
        """Micro-batches each process runs before an optimizer step."""
        per_round = self.micro_batch * self.world_size
        return max(1, -(-self.global_batch // per_round))

    @property
    def effective_batch(self) -> int:
        """Samples per optimizer step (the global batch rounded up to whole micro-batches)."""
        return self.accumulation_steps * self.micro_batch * self.world_size


class ResumableSampler(torch.utils.data.Sampler[int]):
    """Endless indices for one process, starting at optimizer step ``start_step``.

    Global sample position ``p`` maps to a fresh permutation of the dataset per epoch;
    within a step, micro-batch ``m`` of process ``r`` takes positions
    ``step·B + (m·world + r)·micro … + micro − 1`` (``B`` the effective batch).
    """

    def __init__(
        self, size: int, layout: BatchLayout, seed: int, start_step: int = 0, rank: int = 0
    ) -> None:
        if size < 1:
            raise ValueError("cannot sample from an empty dataset")
        self.size = size
        self.layout = layout
        self.seed = seed
        self.start_step = start_step
        self.rank = rank
        self._epoch = -1
        self._permutation = np.arange(size)

    def index_at(self, position: int) -> int:
        """The dataset index read at global sample position ``position``."""
        epoch, offset = divmod(position, self.size)
        if epoch != self._epoch:
            self._permutation = np.random.default_rng([self.seed, epoch]).permutation(self.size)
            self._epoch = epoch
        return int(self._permutation[offset])

    def __iter__(self) -> Iterator[int]:
        layout = self.layout
        step = self.start_step
        while True:
            base = step * layout.effective_batch
            for micro in range(layout.accumulation_steps):
                first = base + (micro * layout.world_size + self.rank) * layout.micro_batch
                for position in range(first, first + layout.micro_batch):
                    yield self.index_at(position)
            step += 1

    def __len__(self) -> int:
        return 2**62
