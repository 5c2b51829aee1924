"""Tell inference failures apart: out of GPU memory (offer the CPU) versus the rest."""

from __future__ import annotations


def is_out_of_memory(error: BaseException) -> bool:
    """True for a CUDA out-of-memory error (torch's class, or its message when re-raised)."""
    current: BaseException | None = error
    while current is not None:
        if type(current).__name__ == "OutOfMemoryError" or "out of memory" in str(current).lower():
            return True
        current = current.__cause__
    return False
