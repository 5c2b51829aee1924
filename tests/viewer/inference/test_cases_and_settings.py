"""Qt-free inference pieces: case lists, settings, chat history, OOM detection, provenance notes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch

from vividmed_viewer.core import Conversation, InferenceError, ModelError, ValidationError
from vividmed_viewer.core.provenance import Provenance
from vividmed_viewer.inference.cases import find_cases, safe_case_id
from vividmed_viewer.inference.chat_history import ChatHistory
from vividmed_viewer.inference.failures import is_out_of_memory
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.inference.jobs import load_pipeline
from vividmed_viewer.inference.provenance_notes import (
    DEMO_NOTE,
    UNTRAINED_NOTE,
    annotate_provenance,
)


def test_case_list_csv_relative_paths_and_errors(tmp_path: Path, case_folder: Path) -> None:
    good = tmp_path / "list.csv"
    good.write_text("case_id,path\nPatient 1,cases/a.nii.gz\np2,cases/b.nii.gz\n")
    cases = find_cases(good)
    assert [(c.case_id, c.path) for c in cases] == [
        ("Patient_1", tmp_path / "cases" / "a.nii.gz"),
        ("p2", tmp_path / "cases" / "b.nii.gz"),
    ]
    missing = tmp_path / "missing.csv"
    missing.write_text("id,file\n1,a.nii.gz\n")
    with pytest.raises(InferenceError) as error:
        find_cases(missing)
    assert str(error.value) == (
        f"{missing}: the case list needs the columns case_id, path; missing case_id, path "
        "(found id, file)"
    )
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("case_id,path\nx,a.nii.gz\nx,b.nii.gz\n")
    with pytest.raises(InferenceError, match="case ids must be unique; repeated: x"):
        find_cases(repeated)
    empty_row = tmp_path / "empty.csv"
    empty_row.write_text("case_id,path\n,a.nii.gz\n")
    with pytest.raises(InferenceError, match=r"empty.csv, line 2: case_id and path must not"):
        find_cases(empty_row)
    empty_folder = tmp_path / "nothing"
    empty_folder.mkdir()
    with pytest.raises(InferenceError, match="no cases found"):
        find_cases(empty_folder)
    assert safe_case_id("../../etc passwd") == "etc_passwd"


def test_settings_are_validated_with_messages() -> None:
    assert InferenceSettings().to_dict()["device"] == "auto"
    with pytest.raises(ValidationError, match="device must be one of"):
        InferenceSettings(device="tpu")
    with pytest.raises(ValidationError, match="max new tokens must be between 1 and 4096, got 0"):
        InferenceSettings(max_new_tokens=0)
    with pytest.raises(ValidationError, match=r"box threshold must be between 0 and 1, got 1\.5"):
        InferenceSettings(box_threshold=1.5)
    assert InferenceSettings().with_changes(device="cpu").device == "cpu"


def test_chat_history_keeps_one_conversation_per_image(tmp_path: Path) -> None:
    image = tmp_path / "a.nii.gz"
    image.write_bytes(b"x")
    history = ChatHistory()
    first = history.conversation_for(image)
    first.ask("Where is the nodule?")
    assert history.conversation_for(str(image)) is first  # same image, same conversation
    assert history.conversation_for("series-2") is not first
    history.clear(image)
    assert first.turns == [] and history.has(image)
    assert isinstance(history.conversation_for("series-2"), Conversation)


def test_out_of_memory_is_told_apart() -> None:
    assert is_out_of_memory(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"))
    wrapped = InferenceError("the model failed")
    wrapped.__cause__ = RuntimeError("CUDA error: out of memory")
    assert is_out_of_memory(wrapped)
    assert not is_out_of_memory(ValueError("shape mismatch"))


def test_provenance_says_untrained_or_demo(tiny_pipeline: Any) -> None:
    untrained = tiny_pipeline.provenance(tiny_pipeline.settings(10, None, "taxonomy"))
    annotate_provenance(untrained, tiny_pipeline)
    assert untrained.note == UNTRAINED_NOTE
    assert untrained.checkpoint == "none (built from config 'tiny')"
    annotate_provenance(untrained, tiny_pipeline)
    assert untrained.note == UNTRAINED_NOTE  # said once
    trained_demo = Provenance(name="VividMed (demo)", checkpoint="/models/demo")
    annotate_provenance(trained_demo, replace(tiny_pipeline, trained=True, name="demo"))
    assert trained_demo.note == DEMO_NOTE and trained_demo.checkpoint == "/models/demo"


def test_loading_names_the_bad_source(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="nowhere: not a checkpoint folder or a known model"):
        load_pipeline(str(tmp_path / "nowhere"))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{ not json")
    with pytest.raises(ModelError) as error:
        load_pipeline(str(broken))
    assert str(broken) in str(error.value)
