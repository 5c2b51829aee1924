"""``VividMedForCausalLM``: vision encoder → projector → any HF causal LM → vg_proj → localizers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from transformers import AutoConfig, AutoModelForCausalLM, PreTrainedModel

from model.config import VividMedConfig
from model.localization import InstanceLocalizer, InstanceOutput, SemanticLocalizer
from model.modeling.grounding_loss import grounding_loss
from model.modeling.outputs import VividMedOutput
from model.modeling.pretrained import VividMedPreTrainedModel
from model.modeling.sequence import MultimodalBatch, build_multimodal_batch
from model.modeling.token_rows import install_added_rows
from model.projector import PhrasePromptHead, VisionProjector
from model.text.sample import PhraseTarget
from model.text.special_tokens import IGNORE_INDEX, SPECIAL_TOKENS, TokenIds
from model.vision import VisionEncoder
from vividmed_viewer.core.errors import ModelError

ImageInput = torch.Tensor | Sequence[torch.Tensor] | None


def build_language_model(config: VividMedConfig) -> PreTrainedModel:
    """A randomly initialised causal LM with the shapes of ``config.text``."""
    if not config.text:
        raise ModelError("the config has no 'text' backbone settings; resolve the backbone first")
    settings = dict(config.text)
    model_type = settings.pop("model_type")
    for key in ("architectures", "transformers_version", "_name_or_path", "dtype"):
        settings.pop(key, None)
    text_config = AutoConfig.for_model(model_type, **settings)
    return AutoModelForCausalLM.from_config(text_config)


def added_token_ids(config: VividMedConfig) -> list[int]:
    """Ids of the VividMed tags (the embedding rows trained as ``added_rows``)."""
    ids = config.special_token_ids or {}
    return sorted({int(ids[token]) for token in SPECIAL_TOKENS if token in ids})


def _as_list(images: ImageInput, batch: int) -> list[torch.Tensor | None]:
    if images is None:
        return [None] * batch
    if isinstance(images, torch.Tensor):
        if images.ndim == 4:
            images = images[None]
        return list(images.unbind(0))
    return [image[0] if image is not None and image.ndim == 5 else image for image in images]


class VividMedForCausalLM(VividMedPreTrainedModel):
    """The VividMed network (MODEL.md): a grounded vision-language model.

    Sub-modules: ``vision`` (ViT), ``projector`` (SwiGLU + BOI/EOI), ``language_model``
    (any HF causal LM; the tags' embedding rows live in its embedding's ``added_rows``,
    see :mod:`model.modeling.token_rows`), ``vg_proj`` (phrase → prompt), ``semantic``
    and ``instance`` localizers. Checkpoints (``build_from_config``, ``save_pretrained``,
    ``from_pretrained``): :class:`~model.modeling.pretrained.VividMedPreTrainedModel`.
    """

    def __init__(self, config: VividMedConfig) -> None:
        super().__init__(config)
        self.vision = VisionEncoder(config.vision_config())
        self.language_model = build_language_model(config)
        text_size = int(self.language_model.config.hidden_size)
        hidden = config.projector_hidden_size or 4 * text_size
        self.projector = VisionProjector(self.vision.hidden_size, text_size, hidden)
        self.vg_proj = PhrasePromptHead(text_size, config.prompt_dim)
        self.semantic = SemanticLocalizer(config.semantic_config())
        self.instance = InstanceLocalizer(config.instance_config())
        self.token_ids = TokenIds.from_config(config.special_token_ids or {})
        self.post_init()
        install_added_rows(self.language_model, added_token_ids(config))

    # -- building blocks (also used by grounded decoding) ------------------------------

    def encode_images(self, pixel_values: ImageInput, batch: int) -> list[torch.Tensor | None]:
        """Per row: ``[BOI] img×N [EOI]`` embeddings [N + 2, h], or ``None`` without image."""
        rows = _as_list(pixel_values, batch)
        dtype = self.projector.down.weight.dtype
        encoded: list[torch.Tensor | None] = []
        for image in rows:
            if image is None:
                encoded.append(None)
                continue
            tokens = self.vision(image[None].to(self.device, dtype))[0]
            encoded.append(self.projector.wrap(self.projector(tokens)))
        return encoded

    def embed(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        pixel_values: ImageInput = None,
        labels: torch.Tensor | None = None,
        label_weights: torch.Tensor | None = None,
    ) -> MultimodalBatch:
        """Token embeddings with the images inserted, positions by the documented rule."""
        images = self.encode_images(pixel_values, input_ids.shape[0])
        return build_multimodal_batch(
            self.language_model.get_input_embeddings(),
            input_ids,
            attention_mask,
            images,
            self.token_ids.pad,
            labels,
            label_weights,
        )

    def run_language_model(
        self,
        inputs_embeds: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        cache: Any = None,
        use_cache: bool = False,
    ) -> tuple[torch.Tensor, Any]:
        """Last-layer hidden states [B, L, h] (after the final norm) and the KV cache."""
        decoder = self.language_model.get_decoder()
        output = decoder(
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            use_cache=use_cache,
        )
        return output.last_hidden_state, output.cache

    def next_token_logits(self, hidden_states: torch.Tensor) -> torch.Tensor:
        head = self.language_model.get_output_embeddings()
        logits: torch.Tensor = head(hidden_states)
        return logits

    def phrase_prompts(self, hidden_states: torch.Tensor) -> torch.Tensor:
        """``vg_proj`` of hidden states [..., h] → prompts [..., d_loc]."""
        prompts: torch.Tensor = self.vg_proj(hidden_states)
        return prompts

    def localize_masks(
        self, image01: torch.Tensor, prompts: torch.Tensor, embedding: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Mask logits [K, D, H, W] for prompts [K, d_loc] on image01 [1, D, H, W]."""
        logits: torch.Tensor = self.semantic(image01[None], prompts[None], embedding)
        return logits[0]

    def localize_boxes(
        self, image01: torch.Tensor, prompts: torch.Tensor, embedding: torch.Tensor | None = None
    ) -> InstanceOutput:
        """Boxes [K, Q, 6] and present logits [K, Q] for prompts [K, d_loc]."""
        output: InstanceOutput = self.instance(image01[None], prompts[None], embedding)
        return InstanceOutput(output.boxes[0], output.logits[0])

    # -- training forward ------------------------------------------------------------

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        pixel_values: ImageInput = None,
        localization_values: ImageInput = None,
        labels: torch.Tensor | None = None,
        label_weights: torch.Tensor | None = None,
        phrase_targets: Sequence[Sequence[PhraseTarget]] | None = None,
        **_: Any,
    ) -> VividMedOutput:
        """Logits and, with ``labels``, the weighted LM loss plus the localization losses.

        ``phrase_targets[b]`` lists row b's phrase targets in order; each ``</p>`` in the
        labels is one phrase (negatives included).
        """
        batch = self.embed(input_ids, attention_mask, pixel_values, labels, label_weights)
        hidden, _ = self.run_language_model(
            batch.inputs_embeds, batch.attention_mask, batch.position_ids
        )
        logits = self.next_token_logits(hidden)
        if batch.labels is None:
            return VividMedOutput(logits=logits, last_hidden_state=hidden)
        lm_loss = self._lm_loss(logits, batch.labels, batch.label_weights)
        rows, positions = self.phrase_positions(batch.labels)
        prompts = self.phrase_prompts(hidden[rows, positions])
        per_row = [prompts[rows == row] for row in range(hidden.shape[0])]
        targets = phrase_targets or [[] for _ in per_row]
        if any(len(t) for t in targets) or len(prompts):
            images01 = [
                image.to(self.device, hidden.dtype) if image is not None else None
                for image in _as_list(localization_values, hidden.shape[0])
            ]
            if any(image is None for image in images01):
                raise ModelError("phrase targets need localization_values for every row")
            grounding = grounding_loss(
                self.semantic,
                self.instance,
                images01,  # type: ignore[arg-type]
                per_row,
                targets,
            )
            mask_loss, box_loss = grounding.mask, grounding.boxes
            prompt_loss = grounding.prompt
        else:
            mask_loss = box_loss = prompt_loss = logits.new_zeros(()) + prompts.sum() * 0.0
        return VividMedOutput(
            loss=lm_loss + mask_loss + box_loss + prompt_loss,
            lm_loss=lm_loss,
            mask_loss=mask_loss,
            box_loss=box_loss,
            prompt_loss=prompt_loss,
            logits=logits,
            phrase_prompts=prompts,
            last_hidden_state=hidden,
        )

    def phrase_positions(self, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(row, index) of every position whose next-token label is ``</p>``, in order."""
        is_close = labels[:, 1:] == self.token_ids.phrase_close
        rows, positions = torch.nonzero(is_close, as_tuple=True)
        return rows, positions

    def _lm_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor | None
    ) -> torch.Tensor:
        """Σ w·CE / Σ w over shifted targets (answer tokens + EOS; ``<p>`` weighted ×5)."""
        targets = labels[:, 1:]
        if weights is None:
            weights = (targets != IGNORE_INDEX).float()
        else:
            weights = weights[:, 1:].float() * (targets != IGNORE_INDEX)
        token_loss = F.cross_entropy(
            logits[:, :-1].float().transpose(1, 2),
            targets.clamp(min=0),
            reduction="none",
        )
        return (token_loss * weights).sum() / weights.sum().clamp(min=1e-6)
