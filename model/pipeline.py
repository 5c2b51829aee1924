"""``VividMedPipeline``: the one object the app, the batch CLI and the evaluator use.

Load once (``from_pretrained`` / ``from_config``), then ``generate_report`` for a grounded
report or ``answer`` for a chat turn; both stream text and phrases through callbacks, stop
when ``cancel`` is set, and return a :class:`~model.generation.GenerationResult` (plain
text, phrase spans, masks/boxes on the image's own grid, provenance as data). Images are
anything shaped like :class:`~model.processor.ModelImage`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.provenance import ModelProvenance, WeightsState
from vividmed_viewer.core.errors import InferenceError, ModelError
from vividmed_viewer.core.taxonomy import Taxonomy, default_taxonomy

if TYPE_CHECKING:
    from model.generation import GeneratedPhrase, GenerationResult, GenerationSettings
    from model.processor import ModelImage
    from model.text import ChatTurn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

LOG = logging.getLogger(__name__)

TextCallback = Callable[[str], None]
PhraseCallback = Callable[["GeneratedPhrase"], object]

#: Shipped trained weights, by config name (resources/models/demo: see its MODEL_CARD.md).
SHIPPED_MODELS_DIR = Path(__file__).resolve().parents[1] / "resources" / "models"
#: A checkpoint of this config is the demonstration model (trained on synthetic phantoms).
DEMO_CONFIG = "demo"


@dataclass
class VividMedPipeline:
    """A loaded model with its tokenizer, image processor and taxonomy.

    ``weights`` says whether the weights are a checkpoint's (``TRAINED``, or ``DEMO`` for a
    checkpoint of the demo config), or random from a config (``UNTRAINED``).
    """

    model: Any
    tokenizer: Any
    token_ids: Any
    processor: Any
    name: str
    checkpoint: str = ""
    weights: WeightsState = WeightsState.UNTRAINED
    taxonomy: Taxonomy = field(default_factory=default_taxonomy)

    @property
    def trained(self) -> bool:
        """Whether the weights come from a checkpoint (trained or the demo model)."""
        return self.weights is not WeightsState.UNTRAINED

    # -- loading -----------------------------------------------------------------

    @classmethod
    def from_config(
        cls, name: str = "tiny", device: str = "auto", seed: int = 0, **options: Any
    ) -> VividMedPipeline:
        """A model built from a named config: random weights (the backbone's where named)."""
        import torch

        from model.checkpoint import build_model
        from model.device import default_dtype, resolve_device
        from model.registry import get_config, tokenizer_for

        config = get_config(name, **options)
        tokenizer, ids = tokenizer_for(config)
        torch.manual_seed(seed)
        model = build_model(config)
        target = resolve_device(device)
        model.to(device=target, dtype=default_dtype(target))  # type: ignore[call-arg]
        model.eval()
        LOG.warning(
            "model '%s' has untrained vision/localization weights: its reports are not "
            "meaningful until trained weights are installed",
            name,
        )
        return cls(model, tokenizer, ids, cls._processor_for(config, None), name=name)

    @classmethod
    def from_pretrained(cls, path_or_name: str | Path, device: str = "auto") -> VividMedPipeline:
        """A checkpoint directory, or a config name (shipped weights when installed)."""
        from model.registry import available_configs

        path = Path(path_or_name).expanduser()
        if str(path_or_name) in available_configs():
            shipped = SHIPPED_MODELS_DIR / str(path_or_name)
            if not (shipped / "config.json").is_file():
                return cls.from_config(str(path_or_name), device=device)
            path = shipped
        return cls._load_checkpoint(path, device)

    @classmethod
    def _load_checkpoint(cls, path: Path, device: str) -> VividMedPipeline:
        from model.checkpoint import load_checkpoint_tokenizer, load_model, read_config
        from model.device import default_dtype, resolve_device

        target = resolve_device(device)
        model = load_model(path, target, default_dtype(target))
        config = read_config(path)
        tokenizer, ids = load_checkpoint_tokenizer(path, config)
        name = config.preset or path.name
        return cls(
            model,
            tokenizer,
            ids,
            cls._processor_for(config, path),
            name=name,
            checkpoint=str(path),
            weights=WeightsState.DEMO if name == DEMO_CONFIG else WeightsState.TRAINED,
        )

    @staticmethod
    def _processor_for(config: Any, directory: Path | None) -> Any:
        from model.processor import VividMedImageProcessor

        vision = config.vision_config()
        settings = {
            "token_budget": config.eval_token_budget,
            "patch_size": vision.patch_size,
            "depth_token_threshold": vision.depth_token_threshold,
            "pool_in_plane": vision.pool_in_plane,
        }
        if directory is not None:
            return VividMedImageProcessor.from_pretrained(directory, **settings)
        return VividMedImageProcessor(**settings)

    # -- running -----------------------------------------------------------------

    def settings(
        self,
        max_new_tokens: int,
        box_threshold: float | None,
        heads: str,
        logits_processors: Sequence[Any] = (),
    ) -> GenerationSettings:
        """Decoding settings; ``box_threshold`` ``None`` keeps the checkpoint's own."""
        from model.generation import GenerationSettings

        config = self.model.config
        return GenerationSettings(
            max_new_tokens=max_new_tokens,
            box_threshold=config.box_threshold if box_threshold is None else box_threshold,
            mask_threshold=config.mask_threshold,
            heads=heads,  # type: ignore[arg-type]
            logits_processors=tuple(logits_processors),
            open_phrases=config.open_phrases,
        )

    def provenance(self, settings: GenerationSettings) -> ModelProvenance:
        """Who writes with these ``settings``: model name, checkpoint, weights, settings."""
        return ModelProvenance(
            name=f"VividMed ({self.name})",
            checkpoint=self.checkpoint or f"none (built from config '{self.name}')",
            weights=self.weights,
            settings=settings.describe(),
        )

    def _run(
        self,
        image: ModelImage,
        turns: Sequence[ChatTurn],
        grounded: bool,
        settings: GenerationSettings,
        callbacks: tuple[TextCallback | None, PhraseCallback | None, Any],
    ) -> GenerationResult:
        """Preprocess, encode the prompt, decode; a ``GenerationResult``."""
        from model.generation import DecodeCallbacks, GenerationResult, GroundedDecoder
        from model.text import encode_conversation

        try:
            processed = self.processor.preprocess(image)
        except (ValueError, RuntimeError) as error:
            raise InferenceError(f"cannot prepare the image for the model: {error}") from error
        prompt = encode_conversation(self.tokenizer, self.token_ids, list(turns), grounded=grounded)
        decoder = GroundedDecoder(self.model, self.tokenizer, self.token_ids, self.taxonomy)
        generation = decoder.decode(
            prompt.input_ids, processed, settings, DecodeCallbacks(*callbacks)
        )
        return GenerationResult(generation, self.provenance(settings), grounded)

    def generate_report(
        self,
        image: ModelImage,
        *,
        question: str | None = None,
        max_new_tokens: int = 512,
        box_threshold: float | None = None,
        heads: str = "taxonomy",
        on_text: TextCallback | None = None,
        on_phrase: PhraseCallback | None = None,
        cancel: Any = None,
        logits_processors: Sequence[Any] = (),
    ) -> GenerationResult:
        """A grounded report (``<grd>``) of ``image``: a ``GenerationResult``, regions on the
        image's own voxel grid.

        ``question`` defaults to the request the model was trained on (stage 3).
        ``heads``: ``taxonomy`` (anatomy → mask, abnormality → boxes) or ``both``;
        ``on_phrase`` gets each ``GeneratedPhrase`` as it closes; ``cancel``: a
        ``threading.Event`` or a callable checked between tokens (the result is then
        ``stopped``); ``logits_processors`` can force tokens (tests).
        """
        from model.text import ChatTurn
        from model.text.questions import grounded_report_question

        settings = self.settings(max_new_tokens, box_threshold, heads, logits_processors)
        turns = [ChatTurn(question or grounded_report_question(image))]
        return self._run(image, turns, True, settings, (on_text, on_phrase, cancel))

    def answer(
        self,
        image: ModelImage,
        turns: Sequence[ChatTurn],
        *,
        grounded: bool = False,
        max_new_tokens: int = 256,
        box_threshold: float | None = None,
        on_text: TextCallback | None = None,
        on_phrase: PhraseCallback | None = None,
        cancel: Any = None,
        logits_processors: Sequence[Any] = (),
    ) -> GenerationResult:
        """The answer to the last of ``turns`` (``ChatTurn``s), a ``GenerationResult``.

        Earlier turns are the history and must hold their answers; the last one is the
        question (its ``answer`` is ``None``). ``<grd>`` when ``grounded``, else ``<ngrd>``.
        """
        if not turns or turns[-1].answer is not None:
            raise ModelError("answer needs turns that end with a question (its answer None)")
        unanswered = [n for n, turn in enumerate(turns[:-1], 1) if turn.answer is None]
        if unanswered:
            raise ModelError(f"history turns {unanswered} have no answer")
        settings = self.settings(max_new_tokens, box_threshold, "taxonomy", logits_processors)
        return self._run(image, turns, grounded, settings, (on_text, on_phrase, cancel))

    def describe(self) -> dict[str, Any]:
        """Model name, checkpoint and settings (for an About box or a batch log)."""
        config = self.model.config
        return {
            "name": self.name,
            "checkpoint": self.checkpoint or "(none: built from config)",
            "trained": self.trained,
            "weights": self.weights.value,
            "backbone": config.backbone or "random (from config)",
            "device": str(self.model.device),
            "dtype": str(self.model.projector.down.weight.dtype).replace("torch.", ""),
            "token_budget": self.processor.token_budget,
            "box_threshold": config.box_threshold,
            "mask_threshold": config.mask_threshold,
            "parameters": sum(p.numel() for p in self.model.parameters()),
        }
