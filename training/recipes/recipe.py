"""``Recipe``: a training run's settings as read from a YAML file (model, data, LoRA, stages)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from vividmed_viewer.core.errors import TrainingError

STAGE_NUMBERS = (0, 1, 2, 3)


#: Dtypes an exported model's floating tensors may be stored in (converted back on load).
EXPORT_DTYPES = ("float32", "bfloat16", "float16")


@dataclass(frozen=True)
class LoraSettings:
    """Rank-stabilized LoRA on the language model's Linear/Embedding layers."""

    r: int = 64
    alpha: float = 8.0
    dropout: float = 0.05


@dataclass(frozen=True)
class OptimizerSettings:
    """AdamW and clipping, shared by every stage."""

    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.01
    grad_clip: float = 1.0


@dataclass(frozen=True)
class DataSettings:
    """Where samples come from: phantom cases (2D DRR and 3D CT mixed) and the atlas.

    ``train_cases`` phantom seeds from the start of the train split are used (each gives a
    CT and a DRR sample) starting ``first_case`` seeds into ``split`` (the test split is
    refused); ``phantom_options`` are ``PhantomConfig`` fields. ``max_present_targets`` and
    ``max_absent_targets`` cap the grounded targets of one stage-0/1 sample (each costs a
    mask or box prediction on the model grid).
    """

    split: str = "train"
    first_case: int = 0
    train_cases: int = 1000
    fraction_2d: float = 0.5
    use_atlas: bool = True
    atlas_fraction: float = 0.1
    cache_dir: str | None = None
    num_workers: int = 0
    phantom_options: dict[str, Any] = field(default_factory=dict)
    max_present_targets: int = 12
    max_absent_targets: int = 4


@dataclass(frozen=True)
class StageSettings:
    """One stage's schedule: steps, learning rate, warmup, batch sizes and where it starts.

    ``hold_localization``: for this many first steps the localization models do not move
    (learning rate 0) while ``vg_proj`` learns to prompt them. ``distill_prompts`` (a loss
    weight, 0 = off): phrase prompts are also pulled towards stage 0's prompt of their target
    (when the stage starts from a stage-0 model), so the localization models are asked in the
    language they learnt. ``lr_scales``: a part of a parameter name → learning-rate multiplier
    (e.g. ``{vg_proj.: 10}`` for a freshly initialized part).
    """

    steps: int
    lr: float
    warmup: int = 0
    global_batch: int = 128
    micro_batch: int = 1
    init: str | None = "previous"
    min_lr_ratio: float = 0.0
    hold_localization: int = 0
    distill_prompts: float = 0.0
    lr_scales: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipe:
    """Everything ``vividmed train`` needs besides the command line."""

    name: str
    model: str
    model_options: dict[str, Any] = field(default_factory=dict)
    train_vision: bool = False
    seed: int = 0
    output_dir: str = "runs/vividmed"
    log_every: int = 10
    checkpoint_every: int = 500
    keep_checkpoints: int = 2
    export_dtype: str = "float32"
    lora: LoraSettings = field(default_factory=LoraSettings)
    optimizer: OptimizerSettings = field(default_factory=OptimizerSettings)
    data: DataSettings = field(default_factory=DataSettings)
    stages: dict[int, StageSettings] = field(default_factory=dict)
    source: Path | None = None

    def stage(self, number: int) -> StageSettings:
        """The settings of stage ``number``; a ``TrainingError`` naming the recipe if absent."""
        if number not in self.stages:
            where = self.source or self.name
            raise TrainingError(
                f"{where}: the recipe has no stage {number} (it has {sorted(self.stages)})"
            )
        return self.stages[number]


def _build(cls: type, values: Any, where: str) -> Any:
    """A dataclass from a mapping, with errors that name the file, the section and the key."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise TrainingError(f"{where}: expected a mapping, got {type(values).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise TrainingError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(known)}")
    converted: dict[str, Any] = {}
    for key, value in values.items():
        wanted = str(known[key].type)
        try:
            if wanted.startswith("int") and not isinstance(value, bool):
                converted[key] = int(value)
            elif wanted.startswith("float"):
                converted[key] = float(value)
            else:
                converted[key] = value
        except (TypeError, ValueError) as error:
            raise TrainingError(f"{where}.{key}: {value!r} is not a {wanted}") from error
    try:
        return cls(**converted)
    except TypeError as error:
        raise TrainingError(f"{where}: {error}") from error


def _check_stage(settings: StageSettings, where: str) -> None:
    if settings.steps < 1:
        raise TrainingError(f"{where}.steps must be at least 1, got {settings.steps}")
    if settings.lr <= 0:
        raise TrainingError(f"{where}.lr must be positive, got {settings.lr}")
    if not 0 <= settings.warmup <= settings.steps:
        raise TrainingError(f"{where}.warmup must be in [0, steps], got {settings.warmup}")
    if any(float(scale) <= 0 for scale in settings.lr_scales.values()):
        raise TrainingError(f"{where}.lr_scales must all be > 0, got {settings.lr_scales}")
    if settings.distill_prompts < 0:
        raise TrainingError(f"{where}.distill_prompts must be >= 0, got {settings.distill_prompts}")
    if not 0 <= settings.hold_localization < settings.steps:
        raise TrainingError(
            f"{where}.hold_localization must be in [0, steps), got {settings.hold_localization}"
        )
    if settings.micro_batch < 1 or settings.global_batch < settings.micro_batch:
        raise TrainingError(
            f"{where}: need 1 <= micro_batch <= global_batch, got "
            f"micro_batch={settings.micro_batch}, global_batch={settings.global_batch}"
        )


def recipe_from_dict(data: dict[str, Any], source: Path | None = None) -> Recipe:
    """A validated ``Recipe`` from parsed YAML; every error names the file and the key."""
    where = str(source) if source else "recipe"
    if not isinstance(data, dict):
        raise TrainingError(f"{where}: a recipe is a mapping, got {type(data).__name__}")
    top = dict(data)
    stages_raw = top.pop("stages", None)
    if not isinstance(stages_raw, dict) or not stages_raw:
        raise TrainingError(f"{where}: 'stages' must map stage numbers 0-3 to their settings")
    stages: dict[int, StageSettings] = {}
    for key, values in stages_raw.items():
        try:
            number = int(key)
        except (TypeError, ValueError) as error:
            raise TrainingError(f"{where}: stage key {key!r} is not a number 0-3") from error
        if number not in STAGE_NUMBERS:
            raise TrainingError(f"{where}: stage {number} does not exist (stages are 0-3)")
        settings = _build(StageSettings, values, f"{where}: stages.{number}")
        _check_stage(settings, f"{where}: stages.{number}")
        stages[number] = settings
    if "model" not in top:
        raise TrainingError(
            f"{where}: 'model' (a named config such as 'tiny' or 'demo') is missing"
        )
    sections = {
        "lora": LoraSettings,
        "optimizer": OptimizerSettings,
        "data": DataSettings,
    }
    built: dict[str, Any] = {}
    for key, cls in sections.items():
        built[key] = _build(cls, top.pop(key, None), f"{where}: {key}")
    top.setdefault("name", source.stem if source else "recipe")
    recipe = _build(Recipe, top, where)
    recipe = Recipe(
        **{f.name: getattr(recipe, f.name) for f in fields(Recipe)}
        | built
        | {"stages": stages, "source": source}
    )
    if recipe.data.train_cases < 1 or not 0.0 <= recipe.data.fraction_2d <= 1.0:
        raise TrainingError(f"{where}: data.train_cases must be >= 1 and fraction_2d in [0, 1]")
    if recipe.data.max_present_targets < 1 or recipe.data.max_absent_targets < 0:
        raise TrainingError(
            f"{where}: data.max_present_targets must be >= 1 and max_absent_targets >= 0"
        )
    if recipe.export_dtype not in EXPORT_DTYPES:
        raise TrainingError(
            f"{where}: export_dtype must be one of {list(EXPORT_DTYPES)}, "
            f"got {recipe.export_dtype!r}"
        )
    if recipe.checkpoint_every < 1 or recipe.log_every < 1:
        raise TrainingError(f"{where}: checkpoint_every and log_every must be at least 1")
    return recipe
