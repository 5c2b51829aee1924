"""Shared fixtures of the model tests (image side: tiny vision and localization configs)."""

from __future__ import annotations

import pytest
import torch

from model.parts_config import (
    LocalizationConfig,
    VisionConfig,
    tiny_localization_config,
    tiny_vision_config,
)


@pytest.fixture
def tiny_vision() -> VisionConfig:
    return tiny_vision_config()


@pytest.fixture
def tiny_localization() -> LocalizationConfig:
    return tiny_localization_config(prompt_dim=24)


@pytest.fixture
def seeded() -> torch.Generator:
    return torch.Generator().manual_seed(0)
