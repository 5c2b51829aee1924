"""The output dataclass of ``VividMedForCausalLM.forward``."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers.utils import ModelOutput


@dataclass
class VividMedOutput(ModelOutput):
    """Losses (``None`` without labels), next-token logits and the phrase prompts used.

    ``loss = lm_loss + mask_loss + box_loss + prompt_loss`` (``prompt_loss``: distillation
    towards teacher prompts, zero without them); ``phrase_prompts`` is [P, d_loc] over the
    batch's phrases in order (row-major, then left to right).
    """

    loss: torch.Tensor | None = None
    lm_loss: torch.Tensor | None = None
    mask_loss: torch.Tensor | None = None
    box_loss: torch.Tensor | None = None
    prompt_loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None
    phrase_prompts: torch.Tensor | None = None
    last_hidden_state: torch.Tensor | None = None
