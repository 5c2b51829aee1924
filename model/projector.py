"""Vision → language projection: a gated (SwiGLU) MLP plus learned begin/end-of-image embeddings."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class VisionProjector(nn.Module):
    """``down(silu(gate(x)) * up(x))``: vision tokens [B, N, vision] → [B, N, text]."""

    def __init__(self, vision_size: int, text_size: int, hidden_size: int) -> None:
        super().__init__()
        self.gate = nn.Linear(vision_size, hidden_size, bias=False)
        self.up = nn.Linear(vision_size, hidden_size, bias=False)
        self.down = nn.Linear(hidden_size, text_size, bias=False)
        self.begin_of_image = nn.Parameter(torch.zeros(text_size))
        self.end_of_image = nn.Parameter(torch.zeros(text_size))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for linear in (self.gate, self.up, self.down):
            nn.init.normal_(linear.weight, std=linear.in_features**-0.5)
        nn.init.normal_(self.begin_of_image, std=0.02)
        nn.init.normal_(self.end_of_image, std=0.02)

    def forward(self, vision_tokens: torch.Tensor) -> torch.Tensor:
        return self.down(F.silu(self.gate(vision_tokens)) * self.up(vision_tokens))

    def wrap(self, projected: torch.Tensor) -> torch.Tensor:
        """[N, text] image tokens → [N + 2, text] with BOI before and EOI after."""
        return torch.cat(
            [
                self.begin_of_image.to(projected.dtype)[None],
                projected,
                self.end_of_image.to(projected.dtype)[None],
            ]
        )


class PhrasePromptHead(nn.Module):
    """``vg_proj``: Linear(h, h) – ReLU – Linear(h, d_loc), last hidden state → phrase prompt."""

    def __init__(self, text_size: int, prompt_dim: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(text_size, text_size)
        self.out = nn.Linear(text_size, prompt_dim)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.hidden(hidden_states)))
