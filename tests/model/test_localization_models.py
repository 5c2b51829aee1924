"""Real forward and backward passes of the tiny semantic and instance localizers."""

from __future__ import annotations

import pytest
import torch

from model.localization import InstanceLocalizer, SemanticLocalizer
from model.localization.fourier_position import RandomFourierPositionEncoding
from model.localization.upsampling import FeatureUpsampler
from model.parts_config import LocalizationConfig, localization_preset
from vividmed_viewer.core.errors import ModelError


@pytest.mark.parametrize("shape", [(1, 100, 84), (20, 64, 48), (5, 40, 40)])
def test_semantic_logits_are_on_the_input_grid(
    tiny_localization: LocalizationConfig, shape: tuple[int, int, int]
) -> None:
    model = SemanticLocalizer(tiny_localization)
    logits = model(torch.rand(2, 1, *shape), torch.randn(2, 3, 24))
    assert logits.shape == (2, 3, *shape)
    assert torch.isfinite(logits).all()


def test_instance_boxes_are_normalized_and_two_d_z_is_fixed(
    tiny_localization: LocalizationConfig,
) -> None:
    model = InstanceLocalizer(tiny_localization)
    flat = model(torch.rand(1, 1, 1, 64, 64), torch.randn(1, 2, 24))
    assert flat.boxes.shape == (1, 2, 6, 6) and flat.logits.shape == (1, 2, 6)
    assert torch.all(flat.boxes[..., 0] == 0.5) and torch.all(flat.boxes[..., 3] == 1.0)
    deep = model(torch.rand(1, 1, 16, 64, 64), torch.randn(1, 2, 24))
    assert ((deep.boxes > 0) & (deep.boxes < 1)).all()
    assert not torch.all(deep.boxes[..., 0] == 0.5)
    assert torch.all((deep.probabilities > 0) & (deep.probabilities < 1))


@pytest.mark.parametrize("model_class", [SemanticLocalizer, InstanceLocalizer])
def test_prompts_share_one_image_encoding_and_do_not_interact(
    tiny_localization: LocalizationConfig, model_class: type
) -> None:
    model = model_class(tiny_localization).eval()
    image = torch.rand(2, 1, 8, 48, 48)
    prompts = torch.randn(2, 3, 24)
    with torch.no_grad():
        embedding = model.encode_image(image)
        together = model(image, prompts, image_embedding=embedding)
        alone = model(image, prompts)
        first_only = model(image[1:], prompts[1:, :1])

    def first(output: object) -> torch.Tensor:
        return output if isinstance(output, torch.Tensor) else output.boxes  # type: ignore[attr-defined]

    torch.testing.assert_close(first(together), first(alone))
    torch.testing.assert_close(first(together)[1:, :1], first(first_only), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("model_class", [SemanticLocalizer, InstanceLocalizer])
def test_gradients_reach_every_parameter(
    tiny_localization: LocalizationConfig, model_class: type
) -> None:
    model = model_class(tiny_localization)
    output = model(torch.rand(1, 1, 24, 32, 32), torch.randn(1, 2, 24))
    tensors = [output] if isinstance(output, torch.Tensor) else [output.boxes, output.logits]
    torch.stack([t.square().mean() + t.mean() for t in tensors]).sum().backward()
    missing = [
        name
        for name, parameter in model.named_parameters()
        if parameter.grad is None or not torch.any(parameter.grad != 0)
    ]
    assert missing == []


def test_zero_prompts_give_empty_outputs(tiny_localization: LocalizationConfig) -> None:
    image = torch.rand(1, 1, 1, 32, 32)
    assert SemanticLocalizer(tiny_localization)(image, torch.zeros(1, 0, 24)).shape == (
        1,
        0,
        1,
        32,
        32,
    )
    assert InstanceLocalizer(tiny_localization)(image, torch.zeros(1, 0, 24)).boxes.shape == (
        1,
        0,
        6,
        6,
    )


def test_input_errors_name_the_shapes(tiny_localization: LocalizationConfig) -> None:
    model = SemanticLocalizer(tiny_localization)
    with pytest.raises(ModelError, match="prompt size 16 does not match prompt_dim 24"):
        model(torch.rand(1, 1, 1, 32, 32), torch.randn(1, 2, 16))
    with pytest.raises(ModelError, match=r"image01 \[B, 1, D, H, W\], got \[1, 3, 1, 32, 32\]"):
        model(torch.rand(1, 3, 1, 32, 32), torch.randn(1, 2, 24))
    with pytest.raises(ModelError, match="with B = 1"):
        model(torch.rand(1, 1, 1, 32, 32), torch.randn(2, 2, 24))
    with pytest.raises(ModelError, match="image_embedding must be"):
        model(torch.rand(1, 1, 1, 32, 32), torch.randn(1, 2, 24), torch.zeros(1, 5, 1, 2, 2))


def test_fourier_encoding_is_bounded_distinct_and_saved() -> None:
    encoding = RandomFourierPositionEncoding(16)
    values = encoding((2, 3, 4))
    assert values.shape == (24, 16)
    assert values.abs().max() <= 1.0
    assert torch.cdist(values, values).fill_diagonal_(1.0).min() > 1e-3
    assert "frequencies" in encoding.state_dict()


@pytest.mark.parametrize(("depth_patch", "depth_gain"), [(1, 1), (2, 2), (4, 4), (16, 4)])
def test_upsampler_grows_depth_only_up_to_the_depth_patch(
    depth_patch: int, depth_gain: int
) -> None:
    upsampler = FeatureUpsampler(32)
    features = upsampler(torch.randn(1, 32, 3, 4, 5), depth_patch)
    assert features.shape == (1, 4, 3 * depth_gain, 16, 20)


def test_semantic_model_learns_a_square(tiny_localization: LocalizationConfig) -> None:
    """A few optimizer steps on one image fit the mask: the model can actually learn."""
    from model.losses import mask_loss

    model = SemanticLocalizer(tiny_localization)
    image = torch.zeros(1, 1, 1, 64, 64)
    image[..., 16:40, 20:44] = 1.0
    target = (image[:, :1] > 0.5).float()
    prompt = torch.randn(1, 1, 24)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = mask_loss(model(image, prompt), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_localization_presets_round_trip() -> None:
    for name in ("tiny", "demo", "paper"):
        config = localization_preset(name)
        assert LocalizationConfig.from_dict(config.to_dict()) == config
    assert localization_preset("paper").hidden_size == 768
    assert localization_preset("demo", prompt_dim=64).prompt_dim == 64
    with pytest.raises(ModelError, match="multiple of 8"):
        LocalizationConfig(hidden_size=36, depth=1, num_heads=2, prompt_dim=8)
