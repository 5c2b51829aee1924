"""What grounded decoding returns: settings in, clean text and localized phrases out.

Plain data on the input image's own grid (:class:`~model.processor.ImageGrid`): a phrase's
mask is a uint8 array of that grid's shape, its boxes are :class:`~model.processor.VoxelBox`
corners. The viewer's ``inference`` package turns these into its own types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from numpy.typing import NDArray

from model.processor.image_grid import ImageGrid
from model.processor.voxel_box import VoxelBox
from model.provenance import ModelProvenance
from model.text.prompt import ChatTurn, encode_conversation
from model.text.special_tokens import TokenIds

#: (token ids generated so far, next-token logits [vocab]) → logits to pick from.
LogitsProcessor = Callable[[Sequence[int], torch.Tensor], torch.Tensor]
Heads = Literal["taxonomy", "both", "mask", "boxes"]


@dataclass
class GenerationSettings:
    """Decoding settings.

    ``heads``: ``taxonomy`` runs the mask model for anatomy and the box model for
    abnormalities (unknown targets get a mask); ``both`` runs both for every phrase.
    ``logits_processors`` may change the logits before the greedy pick (tests force
    token sequences with :class:`ForcedTokens`). ``close_phrases``: ``model`` ends a phrase
    only at the model's ``</p>``; ``taxonomy`` also ends it at the end of a taxonomy term
    (see :mod:`model.generation.phrase_closer`). ``open_phrases``: ``model`` opens a phrase
    only at the model's ``<p>``; ``taxonomy`` also where the model starts a taxonomy term
    (see :mod:`model.generation.phrase_opener`).
    """

    max_new_tokens: int = 512
    box_threshold: float = 0.5
    mask_threshold: float = 0.5
    heads: Heads = "taxonomy"
    logits_processors: Sequence[LogitsProcessor] = ()
    close_phrases: str = "taxonomy"
    open_phrases: str = "model"

    def describe(self) -> dict[str, Any]:
        """The settings that go into a report's provenance."""
        return {
            "max_new_tokens": self.max_new_tokens,
            "box_threshold": self.box_threshold,
            "mask_threshold": self.mask_threshold,
            "heads": self.heads,
            "decoding": "greedy",
            "close_phrases": self.close_phrases,
            "open_phrases": self.open_phrases,
        }


class ForcedTokens:
    """A logits processor that makes the greedy pick follow a fixed token sequence."""

    def __init__(self, token_ids: Sequence[int]) -> None:
        self.token_ids = list(token_ids)

    @classmethod
    def from_answer(cls, tokenizer: Any, token_ids: TokenIds, answer: str) -> ForcedTokens:
        """Force a tagged answer (``"The<p> heart</p> is normal."``) and its ``</s>``.

        The answer is tokenized exactly as training tokenizes it (:mod:`model.text.prompt`).
        """
        encoded = encode_conversation(tokenizer, token_ids, [ChatTurn("", answer)], grounded=True)
        start = encoded.input_ids.index(token_ids.sys) + 1
        return cls(encoded.input_ids[start:])

    def __call__(self, generated: Sequence[int], logits: torch.Tensor) -> torch.Tensor:
        step = len(generated)
        if step >= len(self.token_ids):
            return logits
        forced = torch.full_like(logits, float("-inf"))
        forced[self.token_ids[step]] = 0.0
        return forced


@dataclass
class GeneratedPhrase:
    """One closed phrase: its span in the clean text, target and regions on the original grid.

    ``start``/``end`` index the clean text (``text == clean[start:end]``); ``category`` is
    the target's taxonomy category (``anatomy``, ``abnormality``) or ``unknown``. ``mask``
    is uint8 (0/1) on the original image grid or ``None`` when the mask model did not run;
    ``boxes`` are the kept boxes (original voxel indices, best first) or ``None`` when the
    box model did not run; ``box_scores`` are their present probabilities.
    """

    index: int
    start: int
    end: int
    text: str
    target: str
    category: str
    mask: NDArray[np.uint8] | None = None
    mask_score: float | None = None
    boxes: list[VoxelBox] | None = None
    box_scores: list[float] = field(default_factory=list)

    @property
    def mask_voxels(self) -> int:
        return int(np.count_nonzero(self.mask)) if self.mask is not None else 0


@dataclass
class GroundedGeneration:
    """Clean text (tags removed), its phrases, the grid their regions are on, how the run went.

    ``finished_by`` is ``eos``, ``max_new_tokens`` or ``cancelled`` (then ``stopped``).
    """

    text: str
    phrases: list[GeneratedPhrase]
    grid: ImageGrid
    stopped: bool = False
    token_ids: list[int] = field(default_factory=list)
    finished_by: str = "eos"
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def new_tokens(self) -> int:
        return len(self.token_ids)


@dataclass
class GenerationResult:
    """What the pipeline returns for one request: the decoding, and who made it.

    ``grounded`` says whether the prompt asked for grounding (``<grd>``) or not.
    """

    generation: GroundedGeneration
    provenance: ModelProvenance
    grounded: bool = True

    @property
    def text(self) -> str:
        return self.generation.text

    @property
    def phrases(self) -> list[GeneratedPhrase]:
        return self.generation.phrases

    @property
    def stopped(self) -> bool:
        return self.generation.stopped
