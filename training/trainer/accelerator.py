"""``make_accelerator``: the accelerate setup every stage trains under."""

from __future__ import annotations

from typing import Any

import torch

from vividmed_viewer.core.errors import TrainingError


def make_accelerator(device: str) -> Any:
    """An ``accelerate.Accelerator``: bf16 on CUDA, fp32 on CPU; ``device`` is auto, cpu or cuda."""
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs

    if device not in ("auto", "cpu", "cuda"):
        raise TrainingError(f"unknown device '{device}' (choose auto, cpu or cuda)")
    if device == "cuda" and not torch.cuda.is_available():
        raise TrainingError("--device cuda was asked for but torch sees no CUDA GPU")
    use_cpu = device == "cpu" or not torch.cuda.is_available()
    bf16 = not use_cpu and torch.cuda.is_bf16_supported()
    # a micro-batch may use only one of the two localization heads: DDP must allow that
    ddp = DistributedDataParallelKwargs(find_unused_parameters=True)
    return Accelerator(cpu=use_cpu, mixed_precision="bf16" if bf16 else "no", kwargs_handlers=[ddp])
