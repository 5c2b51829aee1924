"""The four stages as data: what each trains, which losses it uses, whether it grounds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vividmed_viewer.core.errors import TrainingError


class Part(StrEnum):
    """Trainable parts of the VividMed model (MODEL.md's names)."""

    LORA = "lora"
    NEW_TOKEN_ROWS = "new_token_rows"
    LM_HEAD = "lm_head"
    PROJECTOR = "projector"
    VG_PROJ = "vg_proj"
    LOCALIZATION = "localization"
    PROMPT_PROJECTION = "prompt_projection"


@dataclass(frozen=True)
class StageSpec:
    """One row of TRAINING.md's stage table."""

    number: int
    name: str
    teaches: str
    trained: frozenset[Part]
    grounded: bool
    lm_loss: bool
    localization_loss: bool

    @property
    def uses_lora(self) -> bool:
        """Whether the language model gets LoRA adapters in this stage."""
        return Part.LORA in self.trained


_GROUNDING_PARTS = frozenset(
    {Part.LORA, Part.NEW_TOKEN_ROWS, Part.LM_HEAD, Part.PROJECTOR, Part.VG_PROJ, Part.LOCALIZATION}
)

STAGES: dict[int, StageSpec] = {
    0: StageSpec(
        0,
        "align",
        "localization models answer a text prompt (sentence-embedder prompts)",
        frozenset({Part.LOCALIZATION, Part.PROMPT_PROJECTION}),
        grounded=True,
        lm_loss=False,
        localization_loss=True,
    ),
    1: StageSpec(
        1,
        "grounding pre-training",
        "'is X present?' answered with grounded phrases",
        _GROUNDING_PARTS,
        grounded=True,
        lm_loss=True,
        localization_loss=True,
    ),
    2: StageSpec(
        2,
        "instruction tuning",
        "reports, captions and VQA, always <ngrd>",
        frozenset({Part.LORA, Part.PROJECTOR}),
        grounded=False,
        lm_loss=True,
        localization_loss=False,
    ),
    3: StageSpec(
        3,
        "grounded reports",
        "reports with <p> phrases and their masks/boxes",
        _GROUNDING_PARTS,
        grounded=True,
        lm_loss=True,
        localization_loss=True,
    ),
}


def stage_spec(number: int) -> StageSpec:
    """The spec of stage ``number`` (0-3)."""
    if number not in STAGES:
        raise TrainingError(f"stage {number} does not exist; stages are {sorted(STAGES)}")
    return STAGES[number]
