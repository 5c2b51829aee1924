"""What each stage's conversations are made of (the data engineer's builders, mixed).

Every choice draws from the ``rng`` it is given, so a sample is a function of its index.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vividmed_viewer.core import TargetCategory
from vividmed_viewer.core.errors import TrainingError
from vividmed_viewer.core.taxonomy import Taxonomy


def build_conversation(
    stage: int,
    case: Any,
    rng: np.random.Generator,
    taxonomy: Taxonomy,
    max_present: int = 12,
    max_absent: int = 4,
) -> Any:
    """A ``ConversationSample`` for stage 1, 2 or 3 from a ``LabelledCase``.

    - 1: anatomy presence (with negative phrases) 50 %, abnormality presence 25 %,
      abnormality detection lists 25 %; images without boxes always ask about anatomy.
    - 2: plain report 50 %, VQA turns 50 % (always ``<ngrd>``); images without a report
      get VQA.
    - 3: grounded report; images without a report get the stage-1 presence question.

    Presence questions name at most ``max_present`` present and ``max_absent`` absent targets.
    """
    from training.data.stage1 import build_detection_sample, build_presence_sample
    from training.data.stage2 import build_report_sample, build_vqa_sample
    from training.data.stage3 import build_grounded_report_sample

    draw = float(rng.random())
    if stage == 1:
        if draw < 0.5 or not case.boxes:
            return build_presence_sample(
                case,
                rng,
                TargetCategory.ANATOMY,
                taxonomy,
                True,
                max_present=max_present,
                max_absent=max_absent,
            )
        if draw < 0.75:
            return build_presence_sample(
                case,
                rng,
                TargetCategory.ABNORMALITY,
                taxonomy,
                True,
                max_present=max_present,
                max_absent=max_absent,
            )
        return build_detection_sample(case, rng, taxonomy)
    if stage == 2:
        if draw < 0.5 and case.report:
            return build_report_sample(case, rng)
        return build_vqa_sample(case, rng, taxonomy=taxonomy)
    if stage == 3:
        if case.report:
            return build_grounded_report_sample(case, rng)
        return build_presence_sample(
            case,
            rng,
            TargetCategory.ANATOMY,
            taxonomy,
            True,
            max_present=max_present,
            max_absent=max_absent,
        )
    raise TrainingError(f"stage {stage} has no conversations (stage 0 uses target prompts)")


def alignment_targets(
    case: Any,
    rng: np.random.Generator,
    taxonomy: Taxonomy,
    max_present: int = 12,
    max_absent: int = 4,
) -> tuple[list[str], list[str]]:
    """Stage 0: (mask targets, box targets), present ones first then a few absent ones."""
    anatomy = [t.name for t in taxonomy.of_category(TargetCategory.ANATOMY)]
    abnormal = [t.name for t in taxonomy.of_category(TargetCategory.ABNORMALITY)]
    present = set(case.present_targets)
    excluded = present | set(getattr(case, "unlabelled", ()))
    present_masks = [n for n in anatomy if n in present and n in case.masks]
    present_boxes = [n for n in abnormal if case.boxes.get(n)]
    absent_masks = [n for n in anatomy if n not in excluded]
    absent_boxes = [n for n in abnormal if n not in excluded]
    masks = _pick(rng, present_masks, max_present) + _pick(
        rng, absent_masks, int(rng.integers(0, max_absent + 1))
    )
    boxes = present_boxes[:max_present] + _pick(rng, absent_boxes, int(rng.integers(0, 3)))
    return masks, boxes


def _pick(rng: np.random.Generator, names: list[str], count: int) -> list[str]:
    if not names or count <= 0:
        return []
    return [str(n) for n in rng.permutation(names)[:count]]
