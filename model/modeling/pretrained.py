"""``VividMedPreTrainedModel``: building, saving and loading the network (transformers style).

A checkpoint directory holds ``config.json`` and safetensors weights (one file, or shards
with their index: :mod:`model.checkpoint_files`), never pickles. A checkpoint of a model
whose config names a ``backbone`` holds only the trained parts by default (see
:mod:`model.modeling.checkpoint_state`); loading builds the model from config.json, loads
the backbone's own weights (new token rows start at the mean embedding), applies LoRA when
the config has it, then loads the checkpoint tensors, checking every name and shape.

``storage_dtype`` (e.g. ``torch.bfloat16``) stores the floating parameters at half size
(buffers keep their dtype); they are converted back to the model's dtype on load unless
``dtype="auto"`` asks for the stored one (recorded in the metadata as ``dtype``).

This module does not import the concrete model class, so the class can delegate here
without an import cycle.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Self

import torch
from transformers import PreTrainedModel

from model.checkpoint_files import (
    INDEX_NAME,
    WEIGHTS_NAME,
    check_checkpoint_directory,
    read_config,
    read_weights,
    write_weights,
)
from model.config import VividMedConfig
from model.modeling.backbone_weights import load_backbone_weights
from model.modeling.checkpoint_state import is_trained_part, load_state_into, unique_state
from model.modeling.lora import apply_lora
from model.modeling.pretrained_arguments import load_arguments, save_arguments
from model.modeling.token_rows import head_is_tied
from vividmed_viewer.core.errors import CheckpointError

LOG = logging.getLogger(__name__)


class VividMedPreTrainedModel(PreTrainedModel):
    """The checkpoint side of the VividMed network; the network is the subclass."""

    config_class = VividMedConfig
    base_model_prefix = "vividmed"
    supports_gradient_checkpointing = True
    main_input_name = "input_ids"
    language_model: PreTrainedModel

    @property
    def vividmed_config(self) -> VividMedConfig:
        """``self.config`` with its concrete type."""
        config = self.config
        assert isinstance(config, VividMedConfig)
        return config

    def _init_weights(self, module: torch.nn.Module) -> None:
        """Every part initialises itself in its constructor; nothing to do here."""

    @classmethod
    def build_from_config(cls, config: VividMedConfig, load_backbone: bool = True) -> Self:
        """A model from a config: random parts, the backbone's weights where it names one,
        LoRA adapters where the config has them."""
        model = cls(config)
        if config.backbone and load_backbone:
            load_backbone_weights(model.language_model, config.backbone)
        if config.lora:
            apply_lora(model, **config.lora)
        return model

    def save_pretrained(  # type: ignore[override]
        self, save_directory: str | Path, **kwargs: Any
    ) -> None:
        """Write config.json and the weights (``model.safetensors``, or shards and an index
        with ``max_shard_size``), plus the tokenizer when one is given.

        ``language_model``: ``"trained"`` (parts only), ``"full"`` or ``"auto"`` (parts only
        when the config names a backbone); ``storage_dtype``: the stored parameters' dtype.
        Other accepted arguments: :mod:`model.modeling.pretrained_arguments`.
        """
        arguments = save_arguments(kwargs)
        if not arguments.is_main_process:
            return
        directory = Path(save_directory)
        config = self.vividmed_config
        mode = arguments.language_model
        if mode == "auto":
            mode = "trained" if config.backbone else "full"
        if mode == "trained" and not config.backbone:
            raise CheckpointError(
                f"{directory}: a parts-only checkpoint needs a config that names its backbone"
            )
        directory.mkdir(parents=True, exist_ok=True)
        tied = head_is_tied(self.language_model)
        state = unique_state(
            self,
            (lambda name: is_trained_part(name, tied)) if mode == "trained" else (lambda _: True),
            arguments.storage_dtype,
        )
        config.save_pretrained(str(directory))
        metadata = {"format": "pt", "parts": mode}
        if arguments.storage_dtype is not None:
            metadata["dtype"] = str(arguments.storage_dtype).removeprefix("torch.")
        files = write_weights(state, directory, metadata, arguments.max_shard_size)
        if arguments.tokenizer is not None:
            arguments.tokenizer.save_pretrained(str(directory))
        LOG.info(
            "saved %d tensors (%s) in %d file(s) to %s", len(state), mode, len(files), directory
        )

    @classmethod
    def from_pretrained(  # type: ignore[override]
        cls, pretrained_model_name_or_path: str | Path, *model_args: Any, **kwargs: Any
    ) -> Self:
        """Load a checkpoint directory (eval mode), on ``device_map``'s device, in ``dtype``.

        Accepted arguments: :mod:`model.modeling.pretrained_arguments`; others are refused.
        """
        arguments = load_arguments(model_args, kwargs)
        directory = Path(pretrained_model_name_or_path).expanduser()
        check_checkpoint_directory(directory)
        config = arguments.config or read_config(directory)
        state, metadata = read_weights(directory)
        parts = metadata.get("parts", "full")
        model = cls.build_from_config(config, load_backbone=parts == "trained")
        source = directory / (WEIGHTS_NAME if (directory / WEIGHTS_NAME).is_file() else INDEX_NAME)
        load_state_into(model, state, source, complete=parts != "trained")
        model.eval()
        dtype = arguments.dtype_for(metadata)
        if arguments.device is not None or dtype is not None:
            model.to(device=arguments.device, dtype=dtype)  # type: ignore[call-arg]
        return model
