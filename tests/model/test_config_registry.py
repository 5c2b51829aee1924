"""The named configs and VividMedConfig's validation and JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from lm_fixtures import fixture_tiny_config  # noqa: F401
from transformers import PreTrainedConfig

from model.config import VividMedConfig
from model.localization import InstanceLocalizer, SemanticLocalizer
from model.parts_config import localization_preset, vision_preset
from model.registry import available_configs, get_config
from model.text import SPECIAL_TOKENS, TokenIds
from model.vision import VisionEncoder
from vividmed_viewer.core import ModelError


def test_registry_lists_the_four_configs() -> None:
    assert available_configs() == ["tiny", "demo", "base", "paper"]


def test_tiny_config_round_trips_through_json(tiny_config: VividMedConfig, tmp_path: Path) -> None:
    tiny_config.save_pretrained(str(tmp_path))
    loaded = VividMedConfig.from_pretrained(str(tmp_path))
    assert isinstance(loaded, PreTrainedConfig) and loaded.model_type == "vividmed"
    assert json.loads((tmp_path / "config.json").read_text())["model_type"] == "vividmed"
    assert loaded.text == tiny_config.text
    assert loaded.vision == tiny_config.vision
    assert loaded.special_token_ids == tiny_config.special_token_ids
    assert loaded.vision_config() == vision_preset("tiny")


def test_tiny_config_holds_every_tag_id_inside_the_vocabulary(tiny_config: VividMedConfig) -> None:
    ids = TokenIds.from_config(tiny_config.special_token_ids or {})
    assert tiny_config.text is not None
    assert max(ids.tags) < tiny_config.text["vocab_size"]
    assert {tiny_config.token_id(t) for t in SPECIAL_TOKENS} == {
        ids.sys, ids.usr, ids.grd, ids.ngrd,
        ids.phrase_open, ids.phrase_close, ids.negative_open, ids.negative_close,
    }  # fmt: skip


def test_unknown_config_name_lists_known_ones() -> None:
    with pytest.raises(ModelError, match=r"unknown model config 'huge'.*tiny"):
        get_config("huge")


def test_base_config_needs_a_backbone_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIVIDMED_BASE_BACKBONE", raising=False)
    with pytest.raises(ModelError, match="needs a backbone directory"):
        get_config("base")


def test_base_config_with_a_missing_directory_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelError, match="no-such-model: backbone not found"):
        get_config("base", backbone=str(missing))


def test_config_without_backbone_or_text_is_refused() -> None:
    with pytest.raises(ModelError, match="either 'text'"):
        VividMedConfig(
            vision=vision_preset("tiny").to_dict(),
            semantic_localization=localization_preset("tiny").to_dict(),
        )


def test_config_rejects_thresholds_outside_unit_interval(tiny_config: VividMedConfig) -> None:
    data = tiny_config.to_dict()
    data["box_threshold"] = 1.5
    with pytest.raises(ModelError, match=r"box_threshold must be in \[0, 1\], got 1.5"):
        VividMedConfig.from_dict(data)


def test_config_rejects_unknown_vision_keys(tiny_config: VividMedConfig) -> None:
    data = tiny_config.to_dict()
    data["vision"] = {**data["vision"], "colour": 3}
    with pytest.raises(ModelError, match="unknown keys"):
        VividMedConfig.from_dict(data)


def test_missing_token_id_explains_how_to_add_them(tiny_config: VividMedConfig) -> None:
    data = tiny_config.to_dict()
    data["special_token_ids"] = {}
    config = VividMedConfig.from_dict(data)
    with pytest.raises(ModelError, match="add_vividmed_tokens"):
        config.token_id("<p>")
    with pytest.raises(ModelError, match="lacks token ids"):
        TokenIds.from_config({})


def _parameters(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_demo_image_parts_are_small_and_the_base_parts_unchanged() -> None:
    demo_vision = _parameters(VisionEncoder(vision_preset("demo")))
    demo_semantic = _parameters(SemanticLocalizer(localization_preset("demo")))
    demo_instance = _parameters(InstanceLocalizer(localization_preset("demo")))
    assert 4_000_000 < demo_vision < 5_000_000
    assert 1_500_000 < demo_instance < demo_semantic < 2_500_000
    # two bytes each (bf16 export): the demo's image parts fit well under the 25 MB rule
    assert 2 * (demo_vision + demo_semantic + demo_instance) < 17_000_000
    assert localization_preset("demo").prompt_dim == 128
    # the `base` config keeps the sizes it had (384-d × 6 vision, 256-d × 4 localizers)
    small = vision_preset("small")
    assert (small.hidden_size, small.depth, small.position_grid) == (384, 6, (8, 32, 32))
    assert _parameters(VisionEncoder(small)) == 18_513_024
    small_localization = localization_preset("small")
    assert (small_localization.hidden_size, small_localization.prompt_dim) == (256, 256)
