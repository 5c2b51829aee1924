"""LLaVA-style insertion of image tokens into the embedding sequence, and the position-id rule.

Position-id rule (identical in training and decoding): every token advances the position
by one, except that all N image tokens share one position, so ``[BOI]`` is at p,
every image token at p + 1 and ``[EOI]`` at p + 2. Text positions therefore do not depend
on the image's token count (144 in training, up to 256 at inference). Phrase tags advance
the position like any other token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from model.text.special_tokens import IGNORE_INDEX, IMAGE_PLACEHOLDER_ID
from vividmed_viewer.core.errors import ModelError


@dataclass
class MultimodalBatch:
    """Embeddings with images inserted, and everything aligned to them."""

    inputs_embeds: torch.Tensor
    attention_mask: torch.Tensor
    position_ids: torch.Tensor
    labels: torch.Tensor | None
    label_weights: torch.Tensor | None
    image_spans: list[tuple[int, int]]

    @property
    def next_position(self) -> torch.Tensor:
        """[B] position of the token after each row's last real token."""
        last = self.attention_mask.sum(dim=1) - 1
        rows = torch.arange(self.position_ids.shape[0], device=self.position_ids.device)
        return self.position_ids[rows, last] + 1


def image_advance(count: int, device: torch.device) -> torch.Tensor:
    """Position advance of ``[BOI] img×count [EOI]``: 1, 1, 0 … 0, 1."""
    advance = torch.zeros(count + 2, dtype=torch.long, device=device)
    advance[0] = 1
    advance[-1] = 1
    if count:
        advance[1] = 1
    return advance


def build_multimodal_batch(
    embed_tokens: torch.nn.Module,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None,
    images: Sequence[torch.Tensor | None],
    pad_id: int,
    labels: torch.Tensor | None = None,
    label_weights: torch.Tensor | None = None,
) -> MultimodalBatch:
    """Replace each row's image placeholder by its ``[N + 2, h]`` image embeddings.

    ``images[b]`` is ``None`` for a text-only row (which must then have no placeholder).
    Rows are right-padded to the longest expanded row.
    """
    batch = input_ids.shape[0]
    device = input_ids.device
    if attention_mask is None:
        attention_mask = torch.ones_like(input_ids)
    is_placeholder = input_ids == IMAGE_PLACEHOLDER_ID
    text_embeds = embed_tokens(torch.where(is_placeholder, pad_id, input_ids))
    rows_embeds, rows_mask, rows_advance, rows_labels, rows_weights = [], [], [], [], []
    spans: list[tuple[int, int]] = []
    for row in range(batch):
        keep = attention_mask[row].bool()
        ids = input_ids[row][keep]
        embeds = text_embeds[row][keep]
        row_labels = labels[row][keep] if labels is not None else None
        row_weights = label_weights[row][keep].float() if label_weights is not None else None
        places = torch.nonzero(ids == IMAGE_PLACEHOLDER_ID).flatten().tolist()
        image = images[row] if row < len(images) else None
        if image is None and places:
            raise ModelError(f"row {row} has an image placeholder but no image was given")
        if image is not None and len(places) != 1:
            raise ModelError(f"row {row} needs exactly one image placeholder, found {len(places)}")
        advance = torch.ones(len(ids), dtype=torch.long, device=device)
        if image is not None:
            at = places[0]
            image = image.to(embeds.dtype)
            count = image.shape[0] - 2
            embeds = torch.cat([embeds[:at], image, embeds[at + 1 :]])
            advance = torch.cat([advance[:at], image_advance(count, device), advance[at + 1 :]])
            if row_labels is not None:
                fill = row_labels.new_full((count + 2,), IGNORE_INDEX)
                row_labels = torch.cat([row_labels[:at], fill, row_labels[at + 1 :]])
            if row_weights is not None:
                zeros = row_weights.new_zeros(count + 2)
                row_weights = torch.cat([row_weights[:at], zeros, row_weights[at + 1 :]])
            spans.append((at, at + count + 2))
        else:
            spans.append((0, 0))
        rows_embeds.append(embeds)
        rows_advance.append(advance)
        rows_labels.append(row_labels)
        rows_weights.append(row_weights)
        rows_mask.append(torch.ones(len(embeds), dtype=torch.long, device=device))
    length = max(len(e) for e in rows_embeds)
    hidden = text_embeds.shape[-1]
    out_embeds = text_embeds.new_zeros(batch, length, hidden)
    out_mask = torch.zeros(batch, length, dtype=torch.long, device=device)
    out_positions = torch.zeros(batch, length, dtype=torch.long, device=device)
    out_labels = (
        torch.full((batch, length), IGNORE_INDEX, dtype=torch.long, device=device)
        if labels is not None
        else None
    )
    out_weights = torch.zeros(batch, length, device=device) if label_weights is not None else None
    for row in range(batch):
        n = len(rows_embeds[row])
        out_embeds[row, :n] = rows_embeds[row]
        out_mask[row, :n] = 1
        positions = torch.cumsum(rows_advance[row], 0) - 1
        out_positions[row, :n] = positions
        out_positions[row, n:] = positions[-1] if n else 0
        if out_labels is not None:
            out_labels[row, :n] = rows_labels[row]  # type: ignore[assignment]
        if out_weights is not None:
            out_weights[row, :n] = rows_weights[row]  # type: ignore[assignment]
    return MultimodalBatch(out_embeds, out_mask, out_positions, out_labels, out_weights, spans)
