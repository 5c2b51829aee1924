"""Added-token rows: the only trained part of a (tied) token embedding and output head.

The VividMed tags (``<sys>`` … ``</np>``) are new tokens of a pretrained backbone. Their
embedding rows must be learned, but the backbone's table (49152 × 576 for SmolLM2) must
not: a checkpoint would otherwise carry the whole table. :class:`AddedRowsEmbedding` and
:class:`AddedRowsHead` keep the backbone's ``weight`` frozen under its usual name (so
backbone loading and weight tying are unchanged) and hold the tags' rows in a small
``added_rows`` parameter [n, h] that replaces those rows at forward time. With tied word
embeddings the head shares the embedding's ``added_rows``: one [n, h] tensor is trained
and saved for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

ADDED_ROWS = "added_rows"


def _row_ids(ids: Sequence[int], device: torch.device) -> torch.Tensor:
    return torch.tensor(sorted({int(i) for i in ids}), dtype=torch.long, device=device)


class AddedRowsEmbedding(torch.nn.Embedding):
    """A token embedding whose rows ``row_ids`` come from the parameter ``added_rows``."""

    added_rows: torch.nn.Parameter
    row_ids: torch.Tensor

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """Backbone rows for ordinary tokens, ``added_rows`` for the added ones."""
        embeds = super().forward(input)
        match = input[..., None] == self.row_ids
        is_added = match.any(dim=-1, keepdim=True)
        rows = self.added_rows[match.to(torch.long).argmax(dim=-1)]
        return torch.where(is_added, rows.to(embeds.dtype), embeds)


class AddedRowsHead(torch.nn.Linear):
    """An output head whose logits for ``row_ids`` use the parameter ``added_rows``."""

    added_rows: torch.nn.Parameter
    row_ids: torch.Tensor

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """Backbone logits, with the added tokens' columns from ``added_rows``."""
        logits = super().forward(input)
        added = F.linear(input, self.added_rows.to(input.dtype))
        # in place: a linear layer's backward does not need its output
        return logits.index_copy_(-1, self.row_ids, added.to(logits.dtype))


def _adopt(
    new: torch.nn.Module, old: torch.nn.Module, rows: torch.nn.Parameter, ids: torch.Tensor
) -> None:
    """Give ``new`` the state of ``old`` (same parameters, so ties survive) plus the rows."""
    new.__dict__.update({k: v for k, v in old.__dict__.items() if k != "_parameters"})
    new._parameters = dict(old._parameters)
    new._buffers = dict(old._buffers)
    new.register_parameter(ADDED_ROWS, rows)
    new.register_buffer("row_ids", ids, persistent=False)


def install_added_rows(language_model: Any, ids: Sequence[int]) -> torch.nn.Parameter | None:
    """Swap the LM's embedding (and tied head) for added-row versions; returns the rows.

    The rows start as copies of the current embedding rows (the mean for fresh tags, see
    :func:`model.modeling.backbone_weights.load_backbone_weights`). ``None`` when ``ids`` is empty.
    """
    embedding = language_model.get_input_embeddings()
    if not ids or isinstance(embedding, AddedRowsEmbedding):
        return getattr(embedding, ADDED_ROWS, None)
    weight = embedding.weight
    row_ids = _row_ids(ids, weight.device)
    rows = torch.nn.Parameter(weight.detach()[row_ids].clone(), requires_grad=weight.requires_grad)
    new_embedding = AddedRowsEmbedding.__new__(AddedRowsEmbedding)
    _adopt(new_embedding, embedding, rows, row_ids)
    language_model.set_input_embeddings(new_embedding)
    head = language_model.get_output_embeddings()
    if head is not None and head.weight is weight and type(head) is torch.nn.Linear:
        new_head = AddedRowsHead.__new__(AddedRowsHead)
        _adopt(new_head, head, rows, row_ids)
        language_model.set_output_embeddings(new_head)
    return rows


def added_rows(language_model: Any) -> torch.nn.Parameter | None:
    """The added-token rows of a language model, or ``None`` when it has none."""
    rows: torch.nn.Parameter | None = getattr(
        language_model.get_input_embeddings(), ADDED_ROWS, None
    )
    return rows


def head_is_tied(language_model: Any) -> bool:
    """Whether the output head shares the token embedding's weight."""
    head = language_model.get_output_embeddings()
    return head is not None and head.weight is language_model.get_input_embeddings().weight


def sync_added_rows(language_model: Any) -> None:
    """Reset ``added_rows`` from the embedding table's rows (after loading backbone weights)."""
    embedding = language_model.get_input_embeddings()
    rows = getattr(embedding, ADDED_ROWS, None)
    if rows is None:
        return
    with torch.no_grad():
        rows.copy_(embedding.weight[embedding.row_ids])
