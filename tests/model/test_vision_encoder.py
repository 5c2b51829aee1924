"""Real forward and backward passes of the tiny vision encoder."""

from __future__ import annotations

import pytest
import torch

from model.parts_config import VisionConfig, tiny_vision_config, vision_preset
from model.processor import VividMedImageProcessor
from model.vision import VisionEncoder, VisionTransformer
from model.vision.position_grid import LearnedPositionGrid
from vividmed_viewer.core.errors import ModelError


@pytest.mark.parametrize("shape", [(1, 512, 512), (40, 256, 256), (300, 128, 128)])
@pytest.mark.parametrize("budget", [144, 256])
def test_token_count_stays_within_budget(
    tiny_vision: VisionConfig, shape: tuple[int, int, int], budget: int
) -> None:
    encoder = VisionEncoder(tiny_vision).eval()
    plan = VividMedImageProcessor(token_budget=budget).plan(shape)
    with torch.no_grad():
        tokens = encoder(torch.zeros(1, 3, *plan.padded_shape))
    assert tokens.shape == (1, plan.num_tokens, tiny_vision.hidden_size)
    assert plan.num_tokens <= budget
    assert encoder.num_tokens(plan.padded_shape) == plan.num_tokens


def test_transformer_returns_the_token_grid_without_cls(tiny_vision: VisionConfig) -> None:
    vit = VisionTransformer(tiny_vision)
    grid = vit(torch.randn(2, 3, 12, 48, 64))
    # 12 slices → P'd = 4 → 3 rows; 48/16 = 3, 64/16 = 4.
    assert grid.shape == (2, 3, 3, 4, tiny_vision.hidden_size)


def test_inputs_not_multiple_of_the_patch_are_padded(tiny_vision: VisionConfig) -> None:
    encoder = VisionEncoder(tiny_vision)
    tokens = encoder(torch.randn(1, 3, 1, 100, 70))
    assert tokens.shape[1] == encoder.num_tokens((1, 100, 70)) == 4 * 3


def test_two_d_image_uses_the_depth_summed_kernel(tiny_vision: VisionConfig) -> None:
    """A 64-slice volume of identical slices embeds each 16-slice patch like the 2D image."""
    embedding = VisionTransformer(tiny_vision).patch_embedding
    image = torch.randn(1, 3, 1, 32, 32)
    volume = image.expand(1, 3, 64, 32, 32)
    flat = embedding(image)
    deep = embedding(volume)
    assert flat.shape[2] == 1 and deep.shape[2] == 4
    for row in range(4):
        torch.testing.assert_close(deep[:, :, row], flat[:, :, 0], rtol=1e-4, atol=1e-4)


def test_position_grid_resamples_trilinearly() -> None:
    grid = LearnedPositionGrid(hidden_size=1, grid=(4, 8, 8))
    z, y, x = torch.meshgrid(torch.arange(4.0), torch.arange(8.0), torch.arange(8.0), indexing="ij")
    with torch.no_grad():
        grid.embedding.copy_((z + 10 * y + 100 * x)[None, None])
    assert grid.resampled((4, 8, 8)) is grid.embedding
    half = grid.resampled((2, 4, 4))[0, 0]
    # Cell centres of a 2× coarser grid sit at source index 2·i + 0.5 (align_corners=False).
    for i, j, k in [(0, 0, 0), (1, 2, 3), (1, 3, 1)]:
        expected = (2 * i + 0.5) + 10 * (2 * j + 0.5) + 100 * (2 * k + 0.5)
        assert half[i, j, k].item() == pytest.approx(expected, abs=1e-3)
    flat = grid.resampled((1, 8, 8))[0, 0]
    # One depth row samples the middle of the 4 source rows (index 1.5).
    assert flat[0, 2, 5].item() == pytest.approx(1.5 + 20 + 500, abs=1e-3)


@pytest.mark.parametrize("shape", [(1, 64, 48), (24, 64, 64)])
def test_gradients_reach_every_parameter(
    tiny_vision: VisionConfig, shape: tuple[int, int, int]
) -> None:
    encoder = VisionEncoder(tiny_vision)
    tokens = encoder(torch.randn(2, 3, *shape))
    (tokens.square().mean() + tokens.mean()).backward()
    missing = [
        name
        for name, parameter in encoder.named_parameters()
        if parameter.grad is None or not torch.any(parameter.grad != 0)
    ]
    assert missing == []


def test_wrong_channel_count_is_reported(tiny_vision: VisionConfig) -> None:
    with pytest.raises(ModelError, match=r"expects \[B, 3, D, H, W\], got \[1, 1, 1, 32, 32\]"):
        VisionEncoder(tiny_vision)(torch.zeros(1, 1, 1, 32, 32))


def test_config_round_trips_and_rejects_unknown_keys() -> None:
    config = tiny_vision_config()
    assert VisionConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ModelError, match="unknown keys \\['colour'\\]"):
        VisionConfig.from_dict({**config.to_dict(), "colour": 1})
    with pytest.raises(ModelError, match="not divisible by num_heads 5"):
        VisionConfig(hidden_size=32, depth=1, num_heads=5)
    with pytest.raises(ModelError, match="unknown vision preset 'huge'"):
        vision_preset("huge")


def test_presets_have_the_documented_shapes() -> None:
    paper = vision_preset("paper")
    assert (paper.hidden_size, paper.depth, paper.num_heads) == (1792, 63, 16)
    with torch.device("meta"):
        count = sum(p.numel() for p in VisionEncoder(paper).parameters())
    assert 4.0e9 < count < 4.8e9  # EVA2-CLIP-E is about 4.4B parameters


def test_gradient_checkpointing_gives_the_same_gradients(tiny_vision: VisionConfig) -> None:
    encoder = VisionEncoder(tiny_vision)
    images = torch.randn(1, 3, 8, 32, 32)
    encoder(images).sum().backward()
    plain = [p.grad.clone() for p in encoder.parameters() if p.grad is not None]
    encoder.zero_grad()
    encoder.transformer.gradient_checkpointing = True
    encoder(images).sum().backward()
    checkpointed = [p.grad for p in encoder.parameters() if p.grad is not None]
    assert len(plain) == len(checkpointed)
    for a, b in zip(plain, checkpointed, strict=True):
        torch.testing.assert_close(a, b)
