"""CPU threading for training and evaluation: passive OpenMP waiting and a thread count.

On a small shared CPU, OpenMP worker threads that spin while they wait burn most of the
cores (the profile of a demo step on 2 cores: ~5× more CPU time than the work itself,
much of it system time). ``OMP_WAIT_POLICY=PASSIVE`` makes them sleep instead; it only
takes effect when set before torch is imported, so the CLIs call this first.
"""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger(__name__)

WAIT_POLICY = "OMP_WAIT_POLICY"


def configure_cpu_threads(threads: int | None = None) -> int:
    """Passive OpenMP waiting (unless the environment says otherwise) and ``threads`` torch threads.

    Returns the torch intra-op thread count in use. ``threads`` None keeps torch's default
    (one per core).
    """
    if WAIT_POLICY not in os.environ:
        if "torch" in sys.modules:
            logger.warning(
                "torch was imported before %s could be set; OpenMP threads may spin", WAIT_POLICY
            )
        else:
            os.environ[WAIT_POLICY] = "PASSIVE"
    import torch

    if threads is not None:
        if threads < 1:
            from vividmed_viewer.core.errors import TrainingError

            raise TrainingError(f"--threads must be at least 1, got {threads}")
        torch.set_num_threads(threads)
    count = int(torch.get_num_threads())
    logger.info(
        "torch uses %d CPU threads (%s=%s)", count, WAIT_POLICY, os.environ.get(WAIT_POLICY)
    )
    return count
