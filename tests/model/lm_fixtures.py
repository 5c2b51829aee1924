"""Fixtures of the language-side model tests: the tiny config, its tokenizer, images.

Imported by name into each language-side test module (not a conftest.py, which the
image-side tests own).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from model.checkpoint import build_model
from model.config import VividMedConfig
from model.modeling import VividMedForCausalLM
from model.pipeline import VividMedPipeline
from model.registry import get_config, tokenizer_for
from model.text import TokenIds
from vividmed_viewer.core import ImageVolume


@pytest.fixture(scope="session", name="tiny_config")
def fixture_tiny_config() -> VividMedConfig:
    return get_config("tiny")


@pytest.fixture(scope="session", name="tiny_tokenizer")
def fixture_tiny_tokenizer(tiny_config: VividMedConfig) -> tuple[object, TokenIds]:
    return tokenizer_for(tiny_config)


@pytest.fixture(name="tiny_model")
def fixture_tiny_model(tiny_config: VividMedConfig) -> VividMedForCausalLM:
    torch.manual_seed(0)
    return build_model(copy.deepcopy(tiny_config)).eval()


@pytest.fixture(scope="session", name="tiny_pipeline")
def fixture_tiny_pipeline() -> VividMedPipeline:
    return VividMedPipeline.from_config("tiny", device="cpu")


@pytest.fixture(name="radiograph")
def fixture_radiograph() -> ImageVolume:
    """A 2D 'chest film': bright ellipse on a dark background, anisotropic pixels."""
    y, x = np.mgrid[0:150, 0:130]
    film = 100.0 + 800.0 * (((y - 75) / 60.0) ** 2 + ((x - 65) / 50.0) ** 2 < 1.0)
    film += np.random.default_rng(0).normal(0, 10, film.shape)
    return ImageVolume(film[None].astype(np.float32), spacing=(1.0, 0.7, 0.6), modality="CR")


@pytest.fixture(name="ct_volume")
def fixture_ct_volume() -> ImageVolume:
    """A small 3D 'CT': a sphere of soft tissue in air, 20 slices."""
    z, y, x = np.mgrid[0:20, 0:48, 0:40]
    sphere = ((z - 10) / 8.0) ** 2 + ((y - 24) / 18.0) ** 2 + ((x - 20) / 15.0) ** 2 < 1.0
    hu = np.where(sphere, 40.0, -1000.0).astype(np.int16)
    return ImageVolume(hu, spacing=(2.5, 0.8, 0.8), origin=(-20.0, -30.0, 100.0), modality="CT")
