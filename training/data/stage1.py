"""Stage 1 conversations: grounded presence questions and abnormality lists.

Q: "Are left lung, heart and liver included in the image? Answer each with yes or no."
A: "Results:<p> left lung</p>: yes,<p> heart</p>: yes, liver: no."
With ``negative_phrases`` absent targets read "<np> liver</np>: no" and get an empty target.
"""

from __future__ import annotations

import numpy as np

from training.data.phrase_tags import tag_phrase
from training.data.samples import ConversationSample, GroundingTarget, LabelledCase
from vividmed_viewer.core import TargetCategory, Taxonomy, ValidationError, default_taxonomy

MAX_PRESENT = 12
MAX_ABSENT = 4


def join_names(names: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def presence_question(names: list[str]) -> str:
    if len(names) == 1:
        return f"Is {names[0]} included in the image? Answer with yes or no."
    return f"Are {join_names(names)} included in the image? Answer each with yes or no."


def _absent_target(case: LabelledCase, name: str, taxonomy: Taxonomy) -> GroundingTarget:
    if name in taxonomy and taxonomy[name].wants_boxes:
        return GroundingTarget(name, boxes=[], negative=True)
    return GroundingTarget(name, mask=np.zeros(case.image.shape, np.uint8), negative=True)


def build_presence_sample(
    case: LabelledCase,
    rng: np.random.Generator,
    category: TargetCategory = TargetCategory.ANATOMY,
    taxonomy: Taxonomy | None = None,
    negative_phrases: bool = False,
    absent_pool: list[str] | None = None,
    max_present: int = MAX_PRESENT,
    max_absent: int = MAX_ABSENT,
) -> ConversationSample:
    """One yes/no presence conversation over present and absent targets of ``category``."""
    taxonomy = taxonomy or default_taxonomy()
    of_category = {t.name for t in taxonomy.of_category(category)}
    in_image = case.present_targets
    present = [t for t in in_image if t in of_category]
    pool = (
        absent_pool if absent_pool is not None else [t.name for t in taxonomy.of_category(category)]
    )
    absent = [t for t in pool if t not in in_image and t not in case.unlabelled]
    chosen_present = (
        list(rng.permutation(present)[: int(rng.integers(1, max_present + 1))]) if present else []
    )
    chosen_absent = (
        list(rng.permutation(absent)[: int(rng.integers(0, max_absent + 1))]) if absent else []
    )
    if not chosen_present and not chosen_absent and absent:
        chosen_absent = [str(absent[0])]
    names = [str(n) for n in rng.permutation(chosen_present + chosen_absent)]
    if not names:
        raise ValidationError(
            f"case {case.source!r} has no {category.value} target to ask about (none labelled "
            "and none known to be absent)"
        )
    items, targets = [], []
    for name in names:
        if name in chosen_present:
            items.append(f"{tag_phrase(name)}: yes")
            targets.append(case.grounding_target(name))
        elif negative_phrases:
            items.append(f"{tag_phrase(name, negative=True)}: no")
            targets.append(_absent_target(case, name, taxonomy))
        else:
            items.append(f" {name}: no")
    answer = "Results:" + ",".join(items) + "."
    return ConversationSample(
        case.image, [(presence_question(names), answer)], True, targets, case.source, stage=1
    )


def build_detection_sample(
    case: LabelledCase, rng: np.random.Generator, taxonomy: Taxonomy | None = None
) -> ConversationSample:
    """ "Which abnormalities are present?" → "Results:<p> lung nodule</p>,<p> pneumothorax</p>."."""
    taxonomy = taxonomy or default_taxonomy()
    found = [
        t
        for t in case.present_targets
        if t in taxonomy and taxonomy[t].wants_boxes and case.boxes.get(t)
    ]
    question = str(
        rng.choice(
            [
                "Which abnormalities can be found in the image?",
                "List the abnormalities in the image.",
                "Find all abnormalities in this image.",
            ]
        )
    )
    if not found:
        return ConversationSample(
            case.image, [(question, "No abnormality is found.")], True, [], case.source, stage=1
        )
    names = [str(n) for n in rng.permutation(found)]
    answer = "Results:" + ",".join(tag_phrase(n) for n in names) + "."
    targets = [case.grounding_target(n) for n in names]
    return ConversationSample(case.image, [(question, answer)], True, targets, case.source, stage=1)
