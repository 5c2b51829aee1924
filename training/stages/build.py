"""``build_task``: a stage made concrete (model with its trainable parts, samples, export)."""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path
from typing import Any

import torch

from training.recipes import Recipe
from training.stages.spec import stage_spec
from training.stages.trainable import configure_trainable
from training.trainer.task import TrainingTask
from vividmed_viewer.core.errors import ModelError, TrainingError

logger = logging.getLogger(__name__)


def build_model(recipe: Recipe, init_dir: Path | None) -> tuple[Any, Any, Any]:
    """(model, tokenizer, token ids): loaded from ``init_dir`` or built from the named config."""
    from model.checkpoint import build_model as build_from_config
    from model.checkpoint import load_checkpoint_tokenizer, load_model
    from model.registry import get_config, tokenizer_for

    if init_dir is not None:
        model = load_model(init_dir)
        apply_model_options(model.vividmed_config, recipe)
        tokenizer, ids = load_checkpoint_tokenizer(init_dir, model.vividmed_config)
        logger.info("starting from %s", init_dir)
        return model, tokenizer, ids
    try:
        config = get_config(recipe.model)
    except ModelError as error:
        raise TrainingError(f"{recipe.source or recipe.name}: model: {error}") from error
    apply_model_options(config, recipe)
    torch.manual_seed(recipe.seed)
    model = build_from_config(config)
    tokenizer, ids = tokenizer_for(config)
    logger.info("starting from the '%s' config", recipe.model)
    return model, tokenizer, ids


def apply_model_options(config: Any, recipe: Recipe) -> None:
    """Set the recipe's ``model_options`` (token budgets, thresholds, decoding defaults) on a
    config, also on one loaded from the previous stage (the export then carries them)."""
    for key, value in recipe.model_options.items():
        if not hasattr(config, key):
            raise TrainingError(
                f"{recipe.source or recipe.name}: model_options.{key} is not a VividMedConfig field"
            )
        setattr(config, key, value)


def image_processor(config: Any, token_budget: int) -> Any:
    """The model's image processor at a token budget, matching its vision encoder."""
    from model.processor import VividMedImageProcessor

    vision = config.vision_config()
    return VividMedImageProcessor(
        token_budget=token_budget,
        patch_size=vision.patch_size,
        depth_token_threshold=vision.depth_token_threshold,
        pool_in_plane=vision.pool_in_plane,
    )


def export_model(
    model: Any, tokenizer: Any, processor: Any, directory: Path, recipe: Recipe, stage: int
) -> None:
    """Write a model checkpoint the next stage, the evaluator and the viewer load.

    Floating tensors are stored as the recipe's ``export_dtype`` (``bfloat16`` halves the
    file; loading converts back to the model's dtype). Next to the model: the processor
    settings and ``training_data.json`` (recipe, stage and phantom settings, so the
    evaluator generates held-out cases of the same kind).
    """
    from model.checkpoint import save_checkpoint
    from training.evaluation.evaluate import TRAINING_DATA_FILE

    storage = getattr(torch, recipe.export_dtype)
    save_checkpoint(
        model,
        directory,
        tokenizer=tokenizer,
        storage_dtype=None if storage == torch.float32 else storage,
    )
    processor.save_pretrained(directory)
    record = {
        "recipe": recipe.name,
        "stage": stage,
        "phantom_options": recipe.data.phantom_options,
        "train_split": recipe.data.split,
        "train_cases": recipe.data.train_cases,
    }
    (directory / TRAINING_DATA_FILE).write_text(
        json.dumps(record, indent=2) + "\n", encoding="utf-8"
    )


def _export_alignment(
    model: Any, tokenizer: Any, processor: Any, task_model: Any, directory: Path, recipe: Recipe
) -> None:
    from safetensors.torch import save_file

    export_model(model, tokenizer, processor, directory, recipe, 0)
    projection = {
        k: v.detach().cpu().contiguous() for k, v in task_model.prompts.state_dict().items()
    }
    save_file(projection, str(directory / ALIGNMENT_PROMPTS_FILE))


ALIGNMENT_PROMPTS_FILE = "alignment_prompts.safetensors"


def teacher_prompts(
    init_dir: Path | None, taxonomy: Any, prompt_dim: int
) -> dict[str, torch.Tensor]:
    """Stage 0's prompt of every taxonomy target, from a stage-0 model folder ({} if none)."""
    from safetensors.torch import load_file

    from training.stages.text_prompts import PromptTable

    path = init_dir / ALIGNMENT_PROMPTS_FILE if init_dir is not None else None
    if path is None or not path.exists():
        logger.warning(
            "distill_prompts is set but %s holds no stage-0 prompts (%s): no distillation",
            init_dir,
            ALIGNMENT_PROMPTS_FILE,
        )
        return {}
    names = [target.name for target in taxonomy.targets]
    table = PromptTable(names, prompt_dim)
    table.load_state_dict(load_file(str(path)), strict=False)
    with torch.no_grad():
        prompts = table(torch.arange(len(names)))
    return {name: prompts[i].clone() for i, name in enumerate(names)}


def init_fingerprint(init_dir: Path | None) -> str:
    """Which model a stage started from: folder, size and time of its weights ("" = fresh)."""
    if init_dir is None:
        return ""
    weights = init_dir / "model.safetensors"
    if not weights.exists():
        return str(init_dir)
    status = weights.stat()
    return f"{init_dir.resolve()} ({status.st_size} bytes, modified {status.st_mtime_ns})"


def build_task(stage: int, recipe: Recipe, init_dir: Path | None, output: Path) -> TrainingTask:
    """Everything the trainer needs for ``stage``."""
    from model.text import VividMedCollator
    from training.stages.alignment import AlignmentModel, collate_alignment
    from training.stages.datasets import StageDataset
    from training.stages.samples import encode_conversation_sample
    from training.stages.text_prompts import PromptTable
    from vividmed_viewer.core.taxonomy import default_taxonomy

    spec = stage_spec(stage)
    recipe.stage(stage)
    model, tokenizer, ids = build_model(recipe, init_dir)
    configure_trainable(model, spec, recipe, train_vision=recipe.train_vision)
    processor = image_processor(model.config, int(model.config.train_token_budget))
    taxonomy = default_taxonomy()
    cache_dir = Path(recipe.data.cache_dir) if recipe.data.cache_dir else output / "cache"
    if stage == 0:
        names = [target.name for target in taxonomy.targets]
        torch.manual_seed(recipe.seed)
        prompts = PromptTable(names, int(model.config.prompt_dim))
        task_model: torch.nn.Module = AlignmentModel(model.semantic, model.instance, prompts)
        dataset = StageDataset(
            0, recipe, processor, taxonomy, cache_dir, prompt_index=prompts.index
        )
        return TrainingTask(
            stage=0,
            model=task_model,
            dataset=dataset,
            collate=collate_alignment,
            export=lambda trained, directory: _export_alignment(
                model, tokenizer, processor, trained, directory, recipe
            ),
            description=spec.name,
            extras={"init": init_fingerprint(init_dir)},
        )
    distill = float(recipe.stage(stage).distill_prompts)
    teachers = (
        teacher_prompts(init_dir, taxonomy, int(model.config.prompt_dim))
        if distill > 0 and spec.localization_loss
        else None
    )
    encode = functools.partial(
        encode_conversation_sample,
        processor=processor,
        tokenizer=tokenizer,
        token_ids=ids,
        taxonomy=taxonomy,
        open_weight=float(model.config.phrase_open_weight),
        teacher_prompts=teachers,
        teacher_weight=distill,
    )
    dataset = StageDataset(stage, recipe, processor, taxonomy, cache_dir, encode=encode)
    return TrainingTask(
        stage=stage,
        model=model,
        dataset=dataset,
        collate=VividMedCollator(ids.pad),
        export=lambda trained, directory: export_model(
            trained, tokenizer, processor, directory, recipe, stage
        ),
        description=spec.name,
        extras={"init": init_fingerprint(init_dir)},
    )
