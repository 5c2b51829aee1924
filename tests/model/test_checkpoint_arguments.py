"""``from_pretrained``/``save_pretrained`` honour the transformers arguments, or refuse by name.

Real tiny models, saved and loaded: dtypes, devices, shards with an index, no pickles.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from lm_fixtures import fixture_tiny_config, fixture_tiny_model, fixture_tiny_tokenizer  # noqa: F401
from safetensors import safe_open
from test_checkpoint_roundtrip import probe

from model.checkpoint import INDEX_NAME, WEIGHTS_NAME, load_model, save_checkpoint
from model.modeling import VividMedForCausalLM
from model.text import TokenIds
from vividmed_viewer.core import CheckpointError

Tokenizer = tuple[Any, TokenIds]


def floating_dtypes(model: torch.nn.Module) -> set[torch.dtype]:
    return {p.dtype for p in model.parameters() if p.is_floating_point()}


def test_torch_dtype_and_dtype_load_in_the_dtype_asked_for(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    tiny_model.save_pretrained(tmp_path)
    by_old_name = VividMedForCausalLM.from_pretrained(tmp_path, torch_dtype=torch.bfloat16)
    assert floating_dtypes(by_old_name) == {torch.bfloat16}
    by_name = VividMedForCausalLM.from_pretrained(tmp_path, dtype="float16")
    assert floating_dtypes(by_name) == {torch.float16}
    as_built = VividMedForCausalLM.from_pretrained(tmp_path, dtype="auto")
    assert floating_dtypes(as_built) == {torch.float32}  # stored as float32
    with pytest.raises(
        CheckpointError, match=r"dtype=torch\.float16 and torch_dtype=torch\.bfloat16"
    ):
        VividMedForCausalLM.from_pretrained(
            tmp_path, dtype=torch.float16, torch_dtype=torch.bfloat16
        )
    with pytest.raises(CheckpointError, match=r"dtype='half precision' is not a torch dtype"):
        VividMedForCausalLM.from_pretrained(tmp_path, dtype="half precision")


def test_auto_dtype_is_the_stored_one(tiny_model: VividMedForCausalLM, tmp_path: Path) -> None:
    save_checkpoint(tiny_model, tmp_path, storage_dtype=torch.bfloat16)
    assert floating_dtypes(VividMedForCausalLM.from_pretrained(tmp_path)) == {torch.float32}
    stored = VividMedForCausalLM.from_pretrained(tmp_path, dtype="auto")
    assert floating_dtypes(stored) == {torch.bfloat16}


def test_device_map_puts_the_whole_model_on_one_device(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer, tmp_path: Path
) -> None:
    _, ids = tiny_tokenizer
    tiny_model.save_pretrained(tmp_path)
    expected = probe(tiny_model, ids)
    for device_map in ("cpu", "auto", {"": "cpu"}, torch.device("cpu")):
        loaded = VividMedForCausalLM.from_pretrained(tmp_path, device_map=device_map)
        first = "cuda" if device_map == "auto" and torch.cuda.is_available() else "cpu"
        assert {p.device.type for p in loaded.parameters()} == {first}
        if first == "cpu":
            assert torch.equal(probe(loaded, ids), expected)
    with pytest.raises(CheckpointError, match="splits the model over devices"):
        VividMedForCausalLM.from_pretrained(tmp_path, device_map={"vision": "cpu", "": "cuda:0"})
    with pytest.raises(CheckpointError, match="device_map='balanced' spreads the model"):
        VividMedForCausalLM.from_pretrained(tmp_path, device_map="balanced")
    if not torch.cuda.is_available():
        with pytest.raises(CheckpointError, match=r"device_map='cuda'.*no CUDA GPU"):
            VividMedForCausalLM.from_pretrained(tmp_path, device_map="cuda")


def test_max_shard_size_writes_indexed_shards_that_load_back(
    tiny_model: VividMedForCausalLM, tiny_tokenizer: Tokenizer, tmp_path: Path
) -> None:
    _, ids = tiny_tokenizer
    tiny_model.save_pretrained(tmp_path, max_shard_size="1MB")
    shards = sorted(tmp_path.glob("model-*-of-*.safetensors"))
    assert len(shards) > 2 and not (tmp_path / WEIGHTS_NAME).exists()
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    assert sorted(set(index["weight_map"].values())) == [p.name for p in shards]
    assert index["metadata"]["parts"] == "full" and index["metadata"]["total_size"] > 3_000_000
    for shard in shards:
        with safe_open(str(shard), "pt") as handle:
            names = list(handle.keys())
        # At most 1 MB each, unless one tensor alone is larger (it gets its own shard).
        assert len(names) == 1 or shard.stat().st_size <= 1_000_000 + 64 * 1024
    loaded = VividMedForCausalLM.from_pretrained(tmp_path)
    assert torch.equal(probe(loaded, ids), probe(tiny_model, ids))
    # Saving again as one file replaces the shards (no stale index shadows it).
    tiny_model.save_pretrained(tmp_path)
    assert (tmp_path / WEIGHTS_NAME).is_file() and not (tmp_path / INDEX_NAME).exists()
    assert not list(tmp_path.glob("model-*-of-*.safetensors"))
    assert torch.equal(probe(load_model(tmp_path), ids), probe(tiny_model, ids))


def test_an_index_that_disagrees_with_its_shards_is_reported(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    save_checkpoint(tiny_model, tmp_path, max_shard_size=1_000_000)
    index_path = tmp_path / INDEX_NAME
    index = json.loads(index_path.read_text())
    name = next(iter(index["weight_map"]))
    index["weight_map"]["vision.extra"] = index["weight_map"][name]
    index_path.write_text(json.dumps(index))
    with pytest.raises(CheckpointError, match=r"holds \['vision.extra'\] differently from"):
        load_model(tmp_path)


def test_pickles_are_refused_both_ways(tiny_model: VividMedForCausalLM, tmp_path: Path) -> None:
    with pytest.raises(
        CheckpointError, match=r"safe_serialization=False is refused.*never pickles"
    ):
        tiny_model.save_pretrained(tmp_path, safe_serialization=False)
    assert not list(tmp_path.iterdir())
    tiny_model.save_pretrained(tmp_path, safe_serialization=True)
    assert not list(tmp_path.glob("*.bin")) and (tmp_path / WEIGHTS_NAME).is_file()
    with pytest.raises(CheckpointError, match="use_safetensors=False is refused"):
        VividMedForCausalLM.from_pretrained(tmp_path, use_safetensors=False)
    with pytest.raises(CheckpointError, match="weights_only=False is refused"):
        VividMedForCausalLM.from_pretrained(tmp_path, weights_only=False)
    loaded = VividMedForCausalLM.from_pretrained(
        tmp_path, use_safetensors=True, local_files_only=True
    )
    assert not loaded.training


def test_unsupported_arguments_are_refused_by_name(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    tiny_model.save_pretrained(tmp_path)
    with pytest.raises(
        CheckpointError, match=r"from_pretrained: unsupported argument\(s\) revision"
    ):
        VividMedForCausalLM.from_pretrained(tmp_path, revision="main")
    with pytest.raises(CheckpointError, match="positional model arguments"):
        VividMedForCausalLM.from_pretrained(tmp_path, "extra")
    with pytest.raises(CheckpointError, match=r"save_pretrained: unsupported argument\(s\) colour"):
        tiny_model.save_pretrained(tmp_path, colour="blue")
    with pytest.raises(CheckpointError, match="push_to_hub=True is not supported"):
        tiny_model.save_pretrained(tmp_path, push_to_hub=True)
    with pytest.raises(CheckpointError, match="max_shard_size='a lot' is not a size"):
        tiny_model.save_pretrained(tmp_path, max_shard_size="a lot")


def test_only_the_main_process_writes_and_a_given_config_is_used(
    tiny_model: VividMedForCausalLM, tmp_path: Path
) -> None:
    tiny_model.save_pretrained(tmp_path / "other", is_main_process=False)
    assert not (tmp_path / "other").exists()
    tiny_model.save_pretrained(tmp_path)
    config = tiny_model.vividmed_config
    config.box_threshold = 0.25
    loaded = VividMedForCausalLM.from_pretrained(tmp_path, config=config)
    assert loaded.vividmed_config.box_threshold == 0.25
    with pytest.raises(CheckpointError, match="config must be a VividMedConfig"):
        VividMedForCausalLM.from_pretrained(tmp_path, config={"box_threshold": 0.25})
