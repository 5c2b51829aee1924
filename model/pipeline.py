"""``VividMedPipeline``: the one object the app, the batch CLI and the demo use.

Load once (``from_pretrained`` / ``from_config``), then ``generate_report`` for a grounded
report or ``answer`` for a chat turn; both stream text and phrases through callbacks and
stop when ``cancel`` is set.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vividmed_viewer.core.conversation import Conversation, Role, Turn
from vividmed_viewer.core.errors import InferenceError, ModelError
from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.core.provenance import Provenance, SourceKind
from vividmed_viewer.core.report import GroundedReport
from vividmed_viewer.core.taxonomy import Taxonomy, default_taxonomy

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

LOG = logging.getLogger(__name__)

#: Shipped trained weights, by config name (resources/models/demo: see its MODEL_CARD.md).
SHIPPED_MODELS_DIR = Path(__file__).resolve().parents[1] / "resources" / "models"


@dataclass
class VividMedPipeline:
    """A loaded model with its tokenizer, image processor and taxonomy."""

    model: Any
    tokenizer: Any
    token_ids: Any
    processor: Any
    name: str
    checkpoint: str = ""
    trained: bool = False
    taxonomy: Taxonomy = field(default_factory=default_taxonomy)

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
        return cls(
            model,
            tokenizer,
            ids,
            cls._processor_for(config, path),
            name=config.preset or path.name,
            checkpoint=str(path),
            trained=True,
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
    ) -> Any:
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

    def provenance(self, settings: Any) -> Provenance:
        return Provenance(
            kind=SourceKind.MODEL,
            name=f"VividMed ({self.name})",
            checkpoint=self.checkpoint,
            settings=settings.describe(),
            note="" if self.trained else "untrained weights",
        )

    def _run(
        self,
        volume: ImageVolume,
        turns: list[Any],
        grounded: bool,
        settings: Any,
        on_text: Callable[[str], None] | None,
        on_phrase: Callable[[Any], None] | None,
        cancel: Any,
    ) -> Any:
        from model.generation import DecodeCallbacks, GroundedDecoder
        from model.text import encode_conversation

        try:
            image = self.processor.preprocess(volume)
        except (ValueError, RuntimeError) as error:
            raise InferenceError(f"cannot prepare the image for the model: {error}") from error
        prompt = encode_conversation(self.tokenizer, self.token_ids, turns, grounded=grounded)
        decoder = GroundedDecoder(self.model, self.tokenizer, self.token_ids, self.taxonomy)
        return decoder.decode(
            prompt.input_ids, image, settings, DecodeCallbacks(on_text, on_phrase, cancel)
        )

    def generate_report(
        self,
        volume: ImageVolume,
        *,
        question: str | None = None,
        max_new_tokens: int = 512,
        box_threshold: float | None = None,
        heads: str = "taxonomy",
        on_text: Callable[[str], None] | None = None,
        on_phrase: Callable[[Any], None] | None = None,
        cancel: Any = None,
        logits_processors: Sequence[Any] = (),
    ) -> GroundedReport:
        """A grounded report (``<grd>``) of ``volume``; regions on its own voxel grid.

        ``question`` defaults to the request the model was trained on (stage 3).

        ``heads``: ``taxonomy`` (anatomy → mask, abnormality → boxes) or ``both``;
        ``cancel``: a ``threading.Event`` or a callable checked between tokens (the report
        is then marked ``stopped``); ``logits_processors`` can force tokens (tests).
        """
        from model.generation import to_grounded_report
        from model.text import ChatTurn
        from model.text.questions import grounded_report_question

        settings = self.settings(max_new_tokens, box_threshold, heads, logits_processors)
        generation = self._run(
            volume,
            [ChatTurn(question or grounded_report_question(volume))],
            True,
            settings,
            on_text,
            on_phrase,
            cancel,
        )
        reference = ", ".join(volume.metadata.source_paths[:1])
        return to_grounded_report(
            generation, self.provenance(settings), self.taxonomy, image_reference=reference
        )

    def answer(
        self,
        volume: ImageVolume,
        conversation: Conversation,
        question: str | None = None,
        *,
        grounded: bool = False,
        max_new_tokens: int = 256,
        box_threshold: float | None = None,
        on_text: Callable[[str], None] | None = None,
        on_phrase: Callable[[Any], None] | None = None,
        cancel: Any = None,
        logits_processors: Sequence[Any] = (),
    ) -> Turn:
        """The assistant's answer to ``question`` (or to the conversation's last user turn).

        Earlier turns are the history (``<ngrd>`` unless ``grounded``). The conversation is
        not changed except that overlays the answer links to are stored in
        ``conversation.overlays``; add the returned turn with ``conversation.add_turn``.
        """
        from model.generation import to_turn

        turns = self.history(conversation, question)
        settings = self.settings(max_new_tokens, box_threshold, "taxonomy", logits_processors)
        generation = self._run(volume, turns, grounded, settings, on_text, on_phrase, cancel)
        turn, overlays = to_turn(generation, self.provenance(settings), grounded, self.taxonomy)
        conversation.overlays.update(overlays)
        return turn

    @staticmethod
    def history(conversation: Conversation, question: str | None) -> list[Any]:
        """Conversation turns (+ the new question) as question/answer pairs."""
        from model.text import ChatTurn

        pairs: list[ChatTurn] = []
        pending: str | None = None
        for turn in conversation.turns:
            if turn.role is Role.USER:
                pending = turn.content.text
            elif pending is not None:
                pairs.append(ChatTurn(pending, turn.content.text))
                pending = None
        if question is None:
            if pending is None:
                raise ModelError("no question: pass one or end the conversation with a user turn")
            question = pending
        elif pending is not None:
            raise ModelError(
                "the conversation ends with an unanswered question; pass question=None"
            )
        pairs.append(ChatTurn(question))
        return pairs

    def describe(self) -> dict[str, Any]:
        """Model name, checkpoint and settings (for an About box or a batch log)."""
        config = self.model.config
        return {
            "name": self.name,
            "checkpoint": self.checkpoint or "(none: built from config)",
            "trained": self.trained,
            "backbone": config.backbone or "random (from config)",
            "device": str(self.model.device),
            "dtype": str(self.model.projector.down.weight.dtype).replace("torch.", ""),
            "token_budget": self.processor.token_budget,
            "box_threshold": config.box_threshold,
            "mask_threshold": config.mask_threshold,
            "parameters": sum(p.numel() for p in self.model.parameters()),
        }
