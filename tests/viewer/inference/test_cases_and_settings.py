"""Qt-free inference pieces: case lists, settings, OOM detection, provenance of model output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from vividmed_viewer.core import InferenceError, ModelError, ValidationError
from vividmed_viewer.core.provenance import DEMO_WARNING, UNTRAINED_WARNING, ModelWeights
from vividmed_viewer.inference.cases import find_cases, safe_case_id
from vividmed_viewer.inference.failures import is_out_of_memory
from vividmed_viewer.inference.inference_settings import InferenceSettings
from vividmed_viewer.inference.jobs import load_pipeline
from vividmed_viewer.inference.model_results import to_provenance


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


def test_out_of_memory_is_told_apart() -> None:
    assert is_out_of_memory(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"))
    wrapped = InferenceError("the model failed")
    wrapped.__cause__ = RuntimeError("CUDA error: out of memory")
    assert is_out_of_memory(wrapped)
    assert not is_out_of_memory(ValueError("shape mismatch"))


def test_provenance_carries_the_weights_state(tiny_pipeline: Any, tmp_path: Path) -> None:
    from model.checkpoint import save_checkpoint
    from model.provenance import WeightsState

    untrained = to_provenance(
        tiny_pipeline.provenance(tiny_pipeline.settings(10, None, "taxonomy"))
    )
    assert untrained.weights is ModelWeights.UNTRAINED and untrained.note == ""
    assert untrained.weights_warning == UNTRAINED_WARNING
    assert untrained.checkpoint == "none (built from config 'tiny')"
    assert untrained.describe().endswith(f"· {UNTRAINED_WARNING}")
    # A checkpoint's weights are trained; a checkpoint of the demo config is the demo model.
    folder = save_checkpoint(tiny_pipeline.model, tmp_path / "mine", tiny_pipeline.tokenizer)
    trained = load_pipeline(str(folder), device="cpu")
    assert trained.weights is WeightsState.TRAINED and trained.trained
    settings = trained.settings(10, None, "taxonomy")
    provenance = to_provenance(trained.provenance(settings))
    assert provenance.weights is ModelWeights.TRAINED and provenance.weights_warning == ""
    assert provenance.checkpoint == str(folder)
    trained.model.config.preset = "demo"
    demo_folder = save_checkpoint(trained.model, tmp_path / "demo-copy", trained.tokenizer)
    demo = load_pipeline(str(demo_folder), device="cpu")
    assert demo.weights is WeightsState.DEMO and demo.describe()["weights"] == "demo"
    demo_provenance = to_provenance(demo.provenance(settings))
    assert demo_provenance.weights is ModelWeights.DEMO
    assert demo_provenance.weights_warning == DEMO_WARNING


def test_loading_names_the_bad_source(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="nowhere: not a checkpoint folder or a known model"):
        load_pipeline(str(tmp_path / "nowhere"))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{ not json")
    with pytest.raises(ModelError) as error:
        load_pipeline(str(broken))
    assert str(broken) in str(error.value)
