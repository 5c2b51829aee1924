"""Checkpoints: safetensors round trips, parts-only checkpoints over a backbone, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch
from lm_fixtures import fixture_tiny_config, fixture_tiny_model, fixture_tiny_tokenizer  # noqa: F401
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from transformers import LlamaConfig, LlamaForCausalLM

from model.checkpoint import build_model, load_model, save_checkpoint
from model.config import VividMedConfig
from model.modeling import VividMedForCausalLM
from model.modeling.lora import apply_lora
from model.modeling.token_rows import added_rows, head_is_tied
from model.modeling.vividmed import added_token_ids
from model.registry import TINY_TEXT
from model.text import IMAGE_PLACEHOLDER_ID, TokenIds, load_tokenizer, tokenizer_directory
from vividmed_viewer.core import CheckpointError

Tokenizer = tuple[Any, TokenIds]


def probe(model: VividMedForCausalLM, ids: TokenIds) -> torch.Tensor:
    """Logits and a mask from fixed inputs: exercises every part."""
    torch.manual_seed(1)
    input_ids = torch.tensor([[ids.bos, IMAGE_PLACEHOLDER_ID, ids.grd, ids.usr, 40, ids.sys, 50]])
    with torch.no_grad():
        output = model(input_ids=input_ids, pixel_values=torch.randn(1, 3, 2, 32, 32))
        prompts = model.phrase_prompts(output.last_hidden_state[0, -2:])
        masks = model.localize_masks(torch.rand(1, 2, 32, 32), prompts)
        boxes = model.localize_boxes(torch.rand(1, 2, 32, 32), prompts)
    return torch.cat([output.logits.flatten(), masks.flatten(), boxes.boxes.flatten()])


def test_save_then_load_gives_identical_outputs(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer, tmp_path: Path
) -> None:
    tokenizer, ids = tiny_tokenizer
    save_checkpoint(tiny_model, tmp_path, tokenizer=tokenizer)
    assert {p.name for p in tmp_path.iterdir()} >= {"config.json", "model.safetensors"}
    assert not list(tmp_path.glob("*.bin")) and not list(tmp_path.glob("*.pt"))
    loaded = VividMedForCausalLM.from_pretrained(tmp_path)
    assert torch.equal(probe(tiny_model, ids), probe(loaded, ids))
    reloaded_tokenizer, reloaded_ids = load_tokenizer(tmp_path)
    assert reloaded_ids == ids and len(reloaded_tokenizer) == len(tokenizer)


def test_lora_adapters_are_saved_and_restored(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer, tmp_path: Path
) -> None:
    _, ids = tiny_tokenizer
    apply_lora(tiny_model, r=4, alpha=8, dropout=0.0)
    with torch.no_grad():
        for name, parameter in tiny_model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(std=0.5)
    tiny_model.save_pretrained(tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.config.lora is not None and loaded.config.lora["r"] == 4
    assert any("lora_B" in name for name, _ in loaded.named_parameters())
    assert torch.equal(probe(tiny_model, ids), probe(loaded, ids))


@pytest.fixture
def tiny_backbone(tmp_path: Path) -> Path:
    """A directory holding a small Llama causal LM (safetensors) with the tiny tokenizer."""
    directory = tmp_path / "backbone"
    settings = {k: v for k, v in TINY_TEXT.items() if k != "model_type"}
    torch.manual_seed(3)
    llama = LlamaForCausalLM(LlamaConfig(vocab_size=512, **settings))
    llama.save_pretrained(str(directory))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tokenizer_directory("tiny") / name, directory / name)
    return directory


def backbone_config(tiny_config: VividMedConfig, backbone: Path) -> VividMedConfig:
    data = tiny_config.to_dict()
    data.update(backbone=str(backbone), tokenizer=None)
    return VividMedConfig.from_dict(data)


def test_parts_only_checkpoint_over_a_backbone_directory(
    tiny_config: VividMedConfig, tiny_tokenizer: Tokenizer, tiny_backbone: Path, tmp_path: Path
) -> None:
    _, ids = tiny_tokenizer
    torch.manual_seed(0)
    model = build_model(backbone_config(tiny_config, tiny_backbone)).eval()
    backbone = load_file(str(tiny_backbone / "model.safetensors"))
    embeddings = model.language_model.get_input_embeddings().weight
    assert torch.equal(embeddings[:512], backbone["model.embed_tokens.weight"])
    new_rows = embeddings[512:]
    assert torch.allclose(
        new_rows, backbone["model.embed_tokens.weight"].mean(0).expand_as(new_rows)
    )
    layer = "model.layers.0.self_attn.q_proj.weight"
    assert torch.equal(model.language_model.state_dict()[layer], backbone[layer])
    rows = added_rows(model.language_model)
    assert rows is not None and rows.shape == (8, 64)
    tags = added_token_ids(model.vividmed_config)
    assert torch.equal(rows, embeddings[tags])  # the tags start at the mean row too
    with torch.no_grad():
        rows += 0.25  # "trained" token rows
    target = tmp_path / "checkpoint"
    save_checkpoint(model, target)
    saved = load_file(str(target / "model.safetensors"))
    language = sorted(name for name in saved if name.startswith("language_model."))
    assert language == ["language_model.model.embed_tokens.added_rows"]  # 8 rows, no table
    loaded = load_model(target)
    assert torch.equal(probe(model, ids), probe(loaded, ids))


def test_added_rows_replace_the_tags_in_embedding_and_tied_head(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer
) -> None:
    _, ids = tiny_tokenizer
    language = tiny_model.language_model
    rows = added_rows(language)
    assert rows is not None and head_is_tied(language)
    before = probe(tiny_model, ids)
    with torch.no_grad():
        rows.add_(0.5)
    assert not torch.equal(before, probe(tiny_model, ids))  # the tags' rows are live
    tags = torch.tensor(added_token_ids(tiny_model.vividmed_config))
    hidden = torch.randn(3, rows.shape[1])
    with torch.no_grad():
        logits = tiny_model.next_token_logits(hidden)
        embedded = language.get_input_embeddings()(tags)
    assert torch.equal(embedded, rows)
    assert torch.allclose(logits[:, tags], hidden @ rows.T, atol=1e-6)


def test_bfloat16_storage_halves_the_file_and_loads_back_to_float32(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer, tmp_path: Path
) -> None:
    _, ids = tiny_tokenizer
    # Weights that bf16 represents exactly, so the round trip can be checked for equality.
    with torch.no_grad():
        for parameter in tiny_model.parameters():
            parameter.copy_(parameter.to(torch.bfloat16))
    save_checkpoint(tiny_model, tmp_path / "full")
    save_checkpoint(tiny_model, tmp_path / "half", storage_dtype=torch.bfloat16)
    full_size = (tmp_path / "full" / "model.safetensors").stat().st_size
    half_size = (tmp_path / "half" / "model.safetensors").stat().st_size
    assert half_size < 0.51 * full_size
    with safe_open(str(tmp_path / "half" / "model.safetensors"), "pt") as handle:
        assert handle.metadata()["dtype"] == "bfloat16"
        dtypes = {k: handle.get_tensor(k).dtype for k in handle.keys()}  # noqa: SIM118
    parameters = dict(tiny_model.named_parameters())
    assert {dtypes[name] for name in parameters} == {torch.bfloat16}
    assert {dtypes[name] for name in dtypes.keys() - parameters.keys()} == {torch.float32}
    loaded = load_model(tmp_path / "half")
    assert {p.dtype for p in loaded.parameters()} == {torch.float32}
    assert torch.equal(probe(tiny_model, ids), probe(loaded, ids))


def test_bfloat16_storage_rounds_each_weight_to_nearest(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    save_checkpoint(tiny_model, tmp_path, storage_dtype=torch.bfloat16)
    loaded = load_model(tmp_path)
    original = tiny_model.vg_proj.out.weight.detach()
    restored = loaded.vg_proj.out.weight.detach()
    assert torch.equal(restored, original.to(torch.bfloat16).float())
    relative = ((restored - original).abs() / original.abs().clamp(min=1e-30)).max()
    assert 0 < float(relative) <= 2.0**-8  # bf16 keeps 8 significant bits


def test_checkpoint_with_a_whole_token_table_still_loads_its_tag_rows(
    tiny_config: VividMedConfig, tiny_tokenizer: Tokenizer, tiny_backbone: Path, tmp_path: Path
) -> None:
    _, ids = tiny_tokenizer
    torch.manual_seed(0)
    model = build_model(backbone_config(tiny_config, tiny_backbone)).eval()
    rows = added_rows(model.language_model)
    assert rows is not None
    with torch.no_grad():
        rows.normal_()
    target = save_checkpoint(model, tmp_path / "checkpoint")
    weights = target / "model.safetensors"
    state = load_file(str(weights))
    # Rewrite it the old way: the whole table (tags' rows in place) instead of added_rows.
    table = model.language_model.get_input_embeddings().weight.detach().clone()
    table[added_token_ids(model.vividmed_config)] = state.pop(
        "language_model.model.embed_tokens.added_rows"
    )
    state["language_model.model.embed_tokens.weight"] = table
    save_file(state, str(weights), metadata={"format": "pt", "parts": "trained"})
    loaded = load_model(target)
    assert torch.equal(added_rows(loaded.language_model), rows)
    assert torch.equal(probe(model, ids), probe(loaded, ids))


def test_wrong_shape_names_the_tensor_and_both_shapes(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    save_checkpoint(tiny_model, tmp_path)
    weights = tmp_path / "model.safetensors"
    state = load_file(str(weights))
    state["vg_proj.out.weight"] = torch.zeros(7, 64)
    save_file(state, str(weights), metadata={"format": "pt", "parts": "full"})
    with pytest.raises(
        CheckpointError,
        match=r"tensor 'vg_proj.out.weight' has shape \[7, 64\] in the checkpoint but \[32, 64\]",
    ):
        load_model(tmp_path)


def test_unknown_and_missing_tensors_are_reported(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    save_checkpoint(tiny_model, tmp_path)
    weights = tmp_path / "model.safetensors"
    state = load_file(str(weights))
    save_file({**state, "extra.weight": torch.zeros(2)}, str(weights), metadata={"parts": "full"})
    with pytest.raises(CheckpointError, match=r"tensor 'extra\.weight' is not a parameter"):
        load_model(tmp_path)
    del state["projector.gate.weight"]
    save_file(state, str(weights), metadata={"parts": "full"})
    with pytest.raises(CheckpointError, match=r"1 tensors are missing, e.g. \['projector.gate"):
        load_model(tmp_path)


def test_missing_and_broken_directories_have_clear_messages(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    with pytest.raises(CheckpointError, match="checkpoint directory not found"):
        load_model(tmp_path / "nowhere")
    with pytest.raises(CheckpointError, match=r"model.safetensors is missing"):
        (tmp_path / "config.json").write_text("{}")
        load_model(tmp_path)
    save_checkpoint(tiny_model, tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(CheckpointError, match="cannot read safetensors"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(CheckpointError, match="model_type is 'llama', not 'vividmed'"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="cannot read the config"):
        load_model(tmp_path)


def test_parts_only_checkpoint_needs_a_backbone(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    with pytest.raises(CheckpointError, match="needs a config that names its backbone"):
        save_checkpoint(tiny_model, tmp_path, language_model="trained")


def test_backbone_with_a_wrong_shape_names_the_tensor_and_both_shapes(
    tiny_config: VividMedConfig, tiny_backbone: Path
) -> None:
    weights = tiny_backbone / "model.safetensors"
    state = load_file(str(weights))
    state["model.layers.1.mlp.up_proj.weight"] = torch.zeros(100, 64)
    save_file(state, str(weights), metadata={"format": "pt"})
    config = backbone_config(tiny_config, tiny_backbone)
    with pytest.raises(
        CheckpointError,
        match=r"backbone tensor 'model.layers.1.mlp.up_proj.weight' has shape \[100, 64\] "
        r"but the model expects \[128, 64\]",
    ):
        build_model(config)
    state["model.layers.1.mlp.up_proj.weight"] = torch.zeros(128, 64)
    save_file({**state, "model.extra.weight": torch.zeros(3)}, str(weights))
    with pytest.raises(CheckpointError, match=r"'model.extra.weight' has no place in the model"):
        build_model(config)
