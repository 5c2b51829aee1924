"""``StageDataset``: phantom cases (CT and DRR mixed) and the brain atlas → stage samples.

Sample ``i`` is a pure function of (recipe seed, stage, i): the phantom seed, whether its
CT or DRR is used, and every choice of the conversation builders come from an RNG seeded
with them. Generated phantoms are cached on disk. Seeds of the held-out test split are
refused when the dataset is built and again when a case is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from training.recipes import Recipe
from training.stages.alignment import AlignmentSample
from training.stages.case_cache import PhantomCaseCache
from training.stages.mixtures import alignment_targets, build_conversation
from training.stages.samples import model_mask
from vividmed_viewer.core.errors import ImageLoadError, TrainingError
from vividmed_viewer.core.taxonomy import Taxonomy

logger = logging.getLogger(__name__)


def training_seeds(recipe: Recipe) -> list[int]:
    """The phantom seeds a recipe trains on; raises if any is a held-out test seed."""
    from training.synthesis.splits import check_training_seeds, seeds_for

    data = recipe.data
    seeds = seeds_for(data.split, data.train_cases, data.first_case)
    check_training_seeds(seeds)
    return seeds


def atlas_available() -> bool:
    """Whether the Colin27 T1 + AAL atlas (Debian mricron-data) is installed."""
    from training.data.brain_atlas import MRICRON_TEMPLATES

    return all(
        (MRICRON_TEMPLATES / n).exists() for n in ("ch2.nii.gz", "aal.nii.gz", "aal.nii.txt")
    )


class StageDataset(torch.utils.data.Dataset[Any]):
    """Samples of one stage: ``EncodedSample`` (stages 1-3) or ``AlignmentSample`` (stage 0)."""

    def __init__(
        self,
        stage: int,
        recipe: Recipe,
        processor: Any,
        taxonomy: Taxonomy,
        cache_dir: Path | None,
        encode: Callable[[Any], Any] | None = None,
        prompt_index: dict[str, int] | None = None,
    ) -> None:
        if stage == 0 and prompt_index is None:
            raise TrainingError("stage 0 samples need the prompt table's target index")
        if stage != 0 and encode is None:
            raise TrainingError(f"stage {stage} samples need the model's sample encoder")
        self.stage = stage
        self.seed = recipe.seed
        self.fraction_2d = recipe.data.fraction_2d
        self.max_present = recipe.data.max_present_targets
        self.max_absent = recipe.data.max_absent_targets
        self.processor = processor
        self.taxonomy = taxonomy
        self.encode = encode
        self.prompt_index = prompt_index or {}
        self.seeds = training_seeds(recipe)
        self.cases = PhantomCaseCache(cache_dir, recipe.data.phantom_options)
        self.phantom_items = 2 * len(self.seeds)
        self.atlas_items = 0
        self._atlas: Any = None
        if recipe.data.use_atlas and stage in (0, 1) and recipe.data.atlas_fraction > 0:
            if atlas_available():
                self.atlas_items = max(1, round(recipe.data.atlas_fraction * self.phantom_items))
            else:
                logger.warning(
                    "the Colin27/AAL atlas is not installed (mricron-data): phantoms only"
                )

    def __len__(self) -> int:
        return self.phantom_items + self.atlas_items

    def labelled_case(self, index: int, rng: np.random.Generator) -> Any:
        """The ``LabelledCase`` behind sample ``index``."""
        from training.data.phantom_source import labelled_case_from_phantom
        from training.synthesis.splits import split_of

        if index >= self.phantom_items:
            return self._atlas_case()
        seed = self.seeds[index % len(self.seeds)]
        if split_of(seed) == "test":
            raise TrainingError(f"phantom seed {seed} is in the held-out test split")
        kind = "drr" if rng.random() < self.fraction_2d else "ct"
        return labelled_case_from_phantom(self.cases.case(seed), kind)

    def _atlas_case(self) -> Any:
        if self._atlas is None:
            from training.data.brain_atlas import colin27_aal_case

            try:
                self._atlas = colin27_aal_case()
            except ImageLoadError as error:
                raise TrainingError(f"the brain atlas cannot be read: {error}") from error
        return self._atlas

    def __getitem__(self, index: int) -> Any:
        rng = np.random.default_rng([self.seed, self.stage, int(index)])
        case = self.labelled_case(int(index), rng)
        if self.stage == 0:
            return self.alignment_sample(case, rng)
        assert self.encode is not None
        conversation = build_conversation(
            self.stage, case, rng, self.taxonomy, self.max_present, self.max_absent
        )
        return self.encode(conversation)

    def alignment_sample(self, case: Any, rng: np.random.Generator) -> AlignmentSample:
        """Stage 0: the image on the model grid with masks and boxes of chosen targets."""
        processed = self.processor.preprocess(case.image)
        transform = processed.transform
        mask_names, box_names = alignment_targets(
            case, rng, self.taxonomy, self.max_present, self.max_absent
        )
        padded = tuple(transform.padded_shape)
        masks = [
            model_mask(np.asarray(case.masks[n]), transform, negative=False)
            if n in case.masks
            else torch.zeros(padded)
            for n in mask_names
        ]
        return AlignmentSample(
            image01=processed.localization_values.reshape(1, *padded),
            mask_targets=torch.tensor([self.prompt_index[n] for n in mask_names], dtype=torch.long),
            masks=torch.stack(masks) if masks else torch.zeros(0, *padded),
            box_targets=torch.tensor([self.prompt_index[n] for n in box_names], dtype=torch.long),
            boxes=[transform.boxes_to_model(case.boxes.get(n, [])) for n in box_names],
        )
