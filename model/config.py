"""``VividMedConfig``: every size and setting of the VividMed network, saved as config.json."""

from __future__ import annotations

from typing import Any, ClassVar

from transformers import PreTrainedConfig

from model.parts_config import LocalizationConfig, VisionConfig
from vividmed_viewer.core.errors import ModelError

#: Known backbone ids that resolve to weights shipped inside an installed package.
KNOWN_BACKBONES = ("smollm2-135m-instruct",)


class VividMedConfig(PreTrainedConfig):
    """Configuration of :class:`model.modeling.VividMedForCausalLM`.

    Parameters
    ----------
    vision, semantic_localization, instance_localization:
        ``VisionConfig.to_dict()`` / ``LocalizationConfig.to_dict()`` of the image parts.
    text:
        A LlamaConfig-style dict (with ``model_type``) for a backbone built from its config
        (random weights unless a checkpoint fills them); ``None`` when ``backbone`` names one.
    backbone:
        A directory holding a Hugging Face causal LM (config.json + safetensors) or a known id
        (``smollm2-135m-instruct``); its weights are loaded under any checkpoint.
    tokenizer:
        ``"tiny"`` (resources/tokenizers/tiny), a directory, or ``None`` for the backbone's.
    projector_hidden_size:
        Inner width of the SwiGLU projector (vision width → language width).
    special_token_ids:
        Token id of each VividMed tag (``<sys>`` … ``</np>``) plus ``bos``/``eos``/``pad``;
        filled when the tokens are added to the tokenizer.
    train_token_budget, eval_token_budget:
        Vision tokens per image in training (144) and at inference (256).
    box_threshold, mask_threshold:
        Probability above which a box is kept / a voxel is inside a mask.
    phrase_open_weight:
        Loss weight of a ``<p>`` target token (×5 in the paper).
    open_phrases:
        Decoding default: ``model`` (a phrase opens only at the model's ``<p>``) or
        ``taxonomy`` (also where the model starts a taxonomy term, see
        :mod:`model.generation.phrase_opener`).
    lora:
        LoRA settings of the language model (``r``, ``alpha``, ``dropout``,
        ``target_modules``, ``use_rslora``) when a checkpoint holds adapters.
    """

    model_type: ClassVar[str] = "vividmed"

    vision: dict[str, Any] | None = None
    semantic_localization: dict[str, Any] | None = None
    instance_localization: dict[str, Any] | None = None
    text: dict[str, Any] | None = None
    backbone: str | None = None
    tokenizer: str | None = None
    projector_hidden_size: int = 0
    special_token_ids: dict[str, int] | None = None
    train_token_budget: int = 144
    eval_token_budget: int = 256
    box_threshold: float = 0.5
    mask_threshold: float = 0.5
    phrase_open_weight: float = 5.0
    open_phrases: str = "model"
    lora: dict[str, Any] | None = None
    preset: str = ""

    def __post_init__(self, **kwargs: Any) -> None:
        if self.text is None and self.backbone is None:
            raise ModelError("VividMedConfig needs either 'text' (a backbone config) or 'backbone'")
        if self.vision is None or self.semantic_localization is None:
            raise ModelError("VividMedConfig needs 'vision' and 'semantic_localization' configs")
        if self.instance_localization is None:
            self.instance_localization = dict(self.semantic_localization)
        if self.special_token_ids is None:
            self.special_token_ids = {}
        for name in ("box_threshold", "mask_threshold"):
            value = float(getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise ModelError(f"VividMedConfig: {name} must be in [0, 1], got {value}")
        if self.open_phrases not in ("model", "taxonomy"):
            raise ModelError(
                f"VividMedConfig: open_phrases must be 'model' or 'taxonomy', got "
                f"{self.open_phrases!r}"
            )
        # Validate the image-part dicts now, so a bad config.json fails at load, not in forward.
        self.vision_config()
        self.semantic_config()
        self.instance_config()
        super().__post_init__(**kwargs)

    def vision_config(self) -> VisionConfig:
        assert self.vision is not None
        return VisionConfig.from_dict(self.vision)

    def semantic_config(self) -> LocalizationConfig:
        assert self.semantic_localization is not None
        return LocalizationConfig.from_dict(self.semantic_localization)

    def instance_config(self) -> LocalizationConfig:
        assert self.instance_localization is not None
        return LocalizationConfig.from_dict(self.instance_localization)

    @property
    def prompt_dim(self) -> int:
        """``d_loc``: the size of one phrase prompt (shared by both localization models)."""
        semantic, instance = self.semantic_config(), self.instance_config()
        if semantic.prompt_dim != instance.prompt_dim:
            raise ModelError(
                f"semantic and instance localization prompt_dim differ: "
                f"{semantic.prompt_dim} vs {instance.prompt_dim}"
            )
        return semantic.prompt_dim

    def token_id(self, name: str) -> int:
        """Id of a special token by its string (``"</p>"``) or role (``"eos"``)."""
        ids = self.special_token_ids or {}
        if name not in ids:
            raise ModelError(
                f"the config has no id for token {name!r}; add the VividMed tokens to the "
                "tokenizer first (model.text.add_vividmed_tokens)"
            )
        return int(ids[name])
