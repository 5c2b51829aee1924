"""Device and dtype choice: CUDA bf16 when a GPU is present, else CPU fp32."""

from __future__ import annotations

import pytest
import torch

from model.device import default_dtype, resolve_device
from vividmed_viewer.core.errors import ModelError


def test_auto_picks_cuda_when_present_else_cpu() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    assert resolve_device("cpu") == torch.device("cpu")


def test_dtype_is_bf16_on_cuda_and_fp32_on_cpu() -> None:
    assert default_dtype(torch.device("cuda")) is torch.bfloat16
    assert default_dtype(torch.device("cpu")) is torch.float32


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_missing_gpu_is_reported() -> None:
    with pytest.raises(ModelError, match="device 'cuda' was asked for but no CUDA GPU"):
        resolve_device("cuda")


def test_unknown_device_name_is_reported() -> None:
    with pytest.raises(ModelError, match="unknown device 'toaster'"):
        resolve_device("toaster")
