"""Phantom cases as labelled cases for the conversation builders."""

from __future__ import annotations

from typing import cast

from training.data.samples import LabelledCase, PhraseTagDict
from training.synthesis.phantom import PhantomCase

# Drawn in the phantom but without a mask of their own: never asked about as absent.
PHANTOM_UNLABELLED = frozenset(
    {"mediastinum", "left ventricle", "right ventricle", "left atrium", "right atrium"}
)


def labelled_case_from_phantom(case: PhantomCase, image: str = "ct") -> LabelledCase:
    """The CT or the DRR of a phantom with its masks, boxes, report and tags."""
    report, tags = case.report_and_tags(image)
    return LabelledCase(
        image=case.image(image),
        masks=dict(case.masks(image)),
        boxes={t: list(b) for t, b in case.boxes(image).items()},
        report=report,
        tags=[cast(PhraseTagDict, dict(tag)) for tag in tags],
        source=f"phantom:{case.seed}:{image}",
        unlabelled=PHANTOM_UNLABELLED,
    )
