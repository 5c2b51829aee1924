"""Stage 3 conversations: grounded reports with ``<p>`` phrases and their masks/boxes."""

from __future__ import annotations

import numpy as np

from model.text.questions import GROUNDED_REPORT_QUESTIONS, image_name
from training.data.phrase_tags import insert_phrase_tags
from training.data.samples import ConversationSample, LabelledCase


def build_grounded_report_sample(
    case: LabelledCase, rng: np.random.Generator
) -> ConversationSample:
    """The report with each tagged phrase (whose target has labels) wrapped in ``<p>``."""
    if not case.report:
        raise ValueError(f"case {case.source!r} has no report")
    in_image = set(case.present_targets)
    usable = [
        tag
        for tag in sorted(case.tags, key=lambda t: int(str(t["start"])))
        if str(tag["target"]) in in_image
    ]
    answer = insert_phrase_tags(case.report, usable)
    targets = []
    for tag in usable:
        instances = tag.get("instances")
        chosen = [int(i) for i in instances] if isinstance(instances, list) else None
        targets.append(case.grounding_target(str(tag["target"]), chosen))
    question = str(rng.choice(GROUNDED_REPORT_QUESTIONS)).format(image=image_name(case.image))
    return ConversationSample(
        case.image, [(question, answer.strip())], True, targets, case.source, 3
    )
