"""The demo recipe's exported model: every file under the repository's 25 MB rule.

Slow only on a cold cache (the SmolLM2 backbone is converted once, ~20 s); ~3 s after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from model.checkpoint import is_trained_part, load_model
from training.recipes import load_recipe
from training.stages.build import build_model, export_model, image_processor
from training.stages.spec import stage_spec
from training.stages.trainable import configure_trainable

FILE_LIMIT = 25 * 1024 * 1024


@pytest.mark.slow
def test_demo_export_holds_only_trained_parts_in_bf16_under_25_mb(tmp_path: Path) -> None:
    recipe = load_recipe("demo")
    model, tokenizer, ids = build_model(recipe, None)
    summary = configure_trainable(model, stage_spec(3), recipe)
    # Round what the export stores to bf16 first, so that loading must give equal outputs.
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if is_trained_part(name):
                parameter.copy_(parameter.to(torch.bfloat16))
    processor = image_processor(model.config, 64)
    export_model(model, tokenizer, processor, tmp_path, recipe, 3)

    sizes = {path.name: path.stat().st_size for path in tmp_path.iterdir()}
    assert all(size < FILE_LIMIT for size in sizes.values()), sizes
    assert sizes["model.safetensors"] < 21_000_000
    saved = load_file(str(tmp_path / "model.safetensors"))
    language = {name for name in saved if name.startswith("language_model.")}
    assert "language_model.model.embed_tokens.added_rows" in language
    assert saved["language_model.model.embed_tokens.added_rows"].shape == (8, 576)
    assert all("lora_" in name or name.endswith("added_rows") for name in language)
    assert set(summary.names) <= set(saved)  # everything stage 3 trains is exported
    parameters = dict(model.named_parameters())
    assert {saved[name].dtype for name in saved if name in parameters} == {torch.bfloat16}

    loaded = load_model(tmp_path)
    text = torch.tensor([[ids.bos, ids.ngrd, ids.usr, 504, 1053, ids.sys, ids.phrase_open, 2184]])
    model.eval()
    with torch.no_grad():
        expected = model(input_ids=text).logits
        actual = loaded(input_ids=text).logits
    assert torch.equal(expected, actual)
