"""Stage 2 conversations (always ungrounded): reports and VQA (modality, plane, yes/no,
counts, laterality)."""

from __future__ import annotations

import numpy as np

from model.text.questions import image_name
from training.data.samples import ConversationSample, LabelledCase
from vividmed_viewer.core import Box, ImageVolume, TargetCategory, Taxonomy, default_taxonomy

CHEST_ABNORMALITIES = (
    "lung nodule",
    "pleural effusion",
    "pneumothorax",
    "cardiomegaly",
    "consolidation",
    "rib fracture",
)
REPORT_QUESTIONS = (
    "Write a radiology report for this {image}.",
    "Describe the findings of this {image}.",
    "Please write the findings and impression for this {image}.",
)


def modality_answer(image: ImageVolume) -> str:
    return {"CT": "CT", "CR": "X-ray", "DX": "X-ray", "MR": "MRI"}.get(image.modality, "other")


def plane_answer(image: ImageVolume) -> str:
    return "coronal" if image.is_2d else "axial"


def laterality(image: ImageVolume, boxes: list[Box], midline_x: float | None = None) -> str:
    """ "left", "right" or "both": box centres' patient side (LPS x > midline is left)."""
    midline = float(image.geometry.center_patient[0]) if midline_x is None else midline_x
    sides = {
        "left" if image.index_to_patient(box.center)[0] > midline else "right" for box in boxes
    }
    return "both" if len(sides) == 2 else sides.pop()


def build_report_sample(case: LabelledCase, rng: np.random.Generator) -> ConversationSample:
    """Report generation: the plain report text (no phrase tags)."""
    if not case.report:
        raise ValueError(f"case {case.source!r} has no report")
    question = str(rng.choice(REPORT_QUESTIONS)).format(image=image_name(case.image))
    return ConversationSample(
        case.image, [(question, case.report.strip())], False, [], case.source, 2
    )


def build_vqa_sample(
    case: LabelledCase,
    rng: np.random.Generator,
    questions: int = 4,
    abnormalities: tuple[str, ...] = CHEST_ABNORMALITIES,
    taxonomy: Taxonomy | None = None,
) -> ConversationSample:
    """Several VQA turns: modality, plane, abnormality yes/no, counts and laterality."""
    taxonomy = taxonomy or default_taxonomy()
    image = case.image
    known = {t.name for t in taxonomy.of_category(TargetCategory.ABNORMALITY)}
    present = [t for t in abnormalities if t in known and case.boxes.get(t)]
    pool: list[tuple[str, str]] = [
        ("What is the modality of this image?", modality_answer(image)),
        ("In which plane is this image shown?", plane_answer(image)),
    ]
    for name in abnormalities:
        answer = "Yes" if name in present else "No"
        pool.append((f"Is there {_article(name)} {name} in this image?", answer))
    for name in present:
        boxes = case.boxes[name]
        if name in ("lung nodule", "rib fracture"):
            pool.append((f"How many {_plural(name)} are there?", str(len(boxes))))
        if name != "cardiomegaly":
            pool.append((f"On which side is the {name}?", laterality(image, boxes)))
    order = rng.permutation(len(pool))[:questions]
    turns = [pool[int(i)] for i in order]
    return ConversationSample(image, turns, False, [], case.source, 2)


def _article(name: str) -> str:
    return "an" if name[0] in "aeiou" else "a"


def _plural(name: str) -> str:
    return name + "s"
