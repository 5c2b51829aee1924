"""Fill a language model from its backbone's weights; rows for added tokens start at the mean."""

from __future__ import annotations

import torch
from transformers import PreTrainedModel

from model.backbone import load_backbone_state, resolve_backbone
from model.modeling.token_rows import sync_added_rows
from vividmed_viewer.core.errors import CheckpointError


def _is_token_table(name: str) -> bool:
    """Whether a backbone tensor has one row per token (the rows the added tags extend)."""
    return name.endswith(("embed_tokens.weight", "lm_head.weight"))


def load_backbone_weights(language_model: PreTrainedModel, backbone: str) -> None:
    """Copy the ``backbone`` (a directory or known id) into ``language_model``, in place.

    Token tables may be shorter than the model's (the added tags): their extra rows start
    at the backbone's mean row. Any other difference raises ``CheckpointError`` naming the
    tensor and both shapes.
    """
    directory = resolve_backbone(backbone)
    state = load_backbone_state(directory)
    own = language_model.state_dict()
    with torch.no_grad():
        for name, tensor in state.items():
            if name not in own:
                raise CheckpointError(
                    f"{directory}: backbone tensor '{name}' has no place in the model"
                )
            target = own[name]
            if tensor.shape == target.shape:
                target.copy_(tensor)
            elif (
                _is_token_table(name)
                and tensor.ndim == 2
                and tensor.shape[1] == target.shape[1]
                and (tensor.shape[0] < target.shape[0])
            ):
                rows = tensor.shape[0]
                target[:rows].copy_(tensor)
                target[rows:].copy_(tensor.mean(dim=0, keepdim=True).expand_as(target[rows:]))
            else:
                raise CheckpointError(
                    f"{directory}: backbone tensor '{name}' has shape {list(tensor.shape)} "
                    f"but the model expects {list(target.shape)}"
                )
    language_model.tie_weights()
    sync_added_rows(language_model)
