"""Training recipes: YAML files (``tiny``, ``demo``, ``paper``) and their loader."""

from __future__ import annotations

from pathlib import Path

from training.recipes.recipe import (
    DataSettings,
    LoraSettings,
    OptimizerSettings,
    Recipe,
    StageSettings,
    recipe_from_dict,
)
from vividmed_viewer.core.errors import TrainingError

RECIPES_DIR = Path(__file__).resolve().parent

__all__ = [
    "RECIPES_DIR",
    "DataSettings",
    "LoraSettings",
    "OptimizerSettings",
    "Recipe",
    "StageSettings",
    "load_recipe",
    "recipe_from_dict",
]


def load_recipe(path_or_name: str | Path) -> Recipe:
    """Read a recipe from a YAML file, or by the name of a shipped one (``tiny``, ``demo``, ``paper``)."""
    import yaml

    path = Path(path_or_name)
    if not path.exists() and path.suffix == "" and (RECIPES_DIR / f"{path}.yaml").exists():
        path = RECIPES_DIR / f"{path}.yaml"
    if not path.is_file():
        shipped = sorted(p.stem for p in RECIPES_DIR.glob("*.yaml"))
        raise TrainingError(f"{path}: no such recipe file (shipped recipes: {shipped})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TrainingError(f"{path}: not valid YAML: {error}") from error
    return recipe_from_dict(data, source=path)
