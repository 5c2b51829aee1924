"""How images are named in questions, and the grounded-report request the model is trained on.

Training (stage 3) and inference (the app's Generate Report, the batch CLI, the evaluator)
ask for a report in the same words, so the model sees at run time what it learned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.processor.image_input import ModelImage

GROUNDED_REPORT_QUESTIONS = (
    "Write a radiology report for this {image} and ground the findings.",
    "Describe this {image} and locate every finding you mention.",
    "Generate a grounded report for this {image}.",
)


def image_name(image: ModelImage) -> str:
    """ "CT scan", "chest radiograph", "MRI"… for question templates."""
    if image.modality == "CT":
        return "CT scan"
    if image.modality in ("CR", "DX"):
        return "chest radiograph"
    if image.modality == "MR":
        return "MRI"
    return "image"


def grounded_report_question(image: ModelImage) -> str:
    """The request for a grounded report of ``image`` (the first training wording)."""
    return GROUNDED_REPORT_QUESTIONS[0].format(image=image_name(image))
