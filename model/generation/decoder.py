"""Grounded greedy decoding with a KV cache: streamed text, regions as each phrase closes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from model.generation.detokenizer import IncrementalDetokenizer
from model.generation.phrase_closer import TaxonomyPhraseCloser
from model.generation.phrase_opener import TaxonomyPhraseOpener
from model.generation.phrase_stream import PhraseStream
from model.generation.regions import RegionLocalizer
from model.generation.result import GeneratedPhrase, GenerationSettings, GroundedGeneration
from model.processor import ProcessedImage
from model.text.special_tokens import TokenIds
from vividmed_viewer.core.errors import InferenceError
from vividmed_viewer.core.taxonomy import Taxonomy, default_taxonomy

if TYPE_CHECKING:
    from model.modeling import VividMedForCausalLM

CancelFlag = threading.Event | Callable[[], bool] | None
TextCallback = Callable[[str], None]
PhraseCallback = Callable[[GeneratedPhrase], object]


def is_cancelled(cancel: CancelFlag) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


@dataclass
class DecodeCallbacks:
    """Streaming hooks: text deltas of the clean text, and each localized phrase."""

    on_text: TextCallback | None = None
    on_phrase: PhraseCallback | None = None
    cancel: CancelFlag = None


@dataclass
class _PhraseState:
    """The open phrase's text tokens; whether the taxonomy opener began it, and where."""

    tokens: list[int] = field(default_factory=list)
    by_opener: bool = False
    opened_at: int = -1


class GroundedDecoder:
    """Greedy decoding of one prompt about one image (batch 1)."""

    def __init__(
        self,
        model: VividMedForCausalLM,
        tokenizer: Any,
        token_ids: TokenIds,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.ids = token_ids
        self.taxonomy = taxonomy or default_taxonomy()
        self._stop_ids = {token_ids.eos, token_ids.usr, token_ids.sys, token_ids.pad}
        self._tags = {
            token_ids.phrase_open,
            token_ids.phrase_close,
            token_ids.negative_open,
            token_ids.negative_close,
            token_ids.bos,
            token_ids.grd,
            token_ids.ngrd,
        }
        self.closer = TaxonomyPhraseCloser(self.taxonomy)
        self.opener = TaxonomyPhraseOpener(self.taxonomy)

    @torch.inference_mode()
    def decode(
        self,
        prompt_ids: Sequence[int],
        image: ProcessedImage,
        settings: GenerationSettings | None = None,
        callbacks: DecodeCallbacks | None = None,
    ) -> GroundedGeneration:
        """Generate the answer to ``prompt_ids`` (ending at ``<sys>``) about ``image``."""
        settings = settings or GenerationSettings()
        callbacks = callbacks or DecodeCallbacks()
        model = self.model
        device, dtype = model.device, model.projector.down.weight.dtype
        started = time.perf_counter()
        image = image.to(device, dtype)
        regions = RegionLocalizer(
            model, image.localization_values[0], image.transform, self.taxonomy, settings
        )
        result = GroundedGeneration(
            text="", phrases=[], grid=image.transform.original, settings=settings
        )
        if is_cancelled(callbacks.cancel):
            result.stopped, result.finished_by = True, "cancelled"
            return result
        input_ids = torch.tensor([list(prompt_ids)], device=device)
        batch = model.embed(input_ids, None, image.pixel_values)
        hidden, cache = model.run_language_model(
            batch.inputs_embeds, batch.attention_mask, batch.position_ids, use_cache=True
        )
        position = int(batch.next_position[0])
        length = batch.inputs_embeds.shape[1]
        last = hidden[0, -1]
        result.timings["prefill_s"] = time.perf_counter() - started
        stream = PhraseStream()
        detokenizer = IncrementalDetokenizer(self.tokenizer)
        generated: list[int] = []
        state = _PhraseState()
        result.finished_by = "max_new_tokens"
        for step in range(settings.max_new_tokens):
            if is_cancelled(callbacks.cancel):
                result.stopped, result.finished_by = True, "cancelled"
                break
            logits = model.next_token_logits(last[None])[0].float()
            for processor in settings.logits_processors:
                logits = processor(generated, logits)
            token = int(torch.argmax(logits))
            token = self._constrain(token, settings, stream, state)
            generated.append(token)
            if step == 0:
                result.timings["first_token_s"] = time.perf_counter() - started
            if token in self._stop_ids:
                result.finished_by = "eos"
                break
            self._consume(token, last, stream, detokenizer, regions, result, callbacks, state)
            if step + 1 == settings.max_new_tokens:
                break
            embeds = model.language_model.get_input_embeddings()(
                torch.tensor([[token]], device=device)
            )
            length += 1
            hidden, cache = model.run_language_model(
                embeds,
                torch.ones(1, length, dtype=torch.long, device=device),
                torch.tensor([[position]], device=device),
                cache=cache,
                use_cache=True,
            )
            position += 1
            last = hidden[0, -1]
        self._emit(detokenizer.flush(), stream, callbacks)
        result.text = stream.text
        result.token_ids = generated
        result.timings["total_s"] = time.perf_counter() - started
        return result

    def _constrain(
        self, token: int, settings: GenerationSettings, stream: PhraseStream, state: _PhraseState
    ) -> int:
        """The model's pick, or a ``<p>``/``</p>`` the taxonomy settings put in its place
        (never in place of the model's own tags and stops)."""
        models_tag = token in self._tags or token in self._stop_ids
        if (
            not models_tag
            and stream.in_phrase
            and (settings.close_phrases == "taxonomy" or state.by_opener)
        ):
            token = self._maybe_close(token, state)
        elif (
            not models_tag
            and settings.open_phrases == "taxonomy"
            and not stream.in_phrase
            and state.opened_at != len(stream.text)  # once per position: no empty-phrase loop
        ):
            token = self._maybe_open(token, stream.text)
            state.opened_at = len(stream.text) if token == self.ids.phrase_open else -1
        if token in (self.ids.phrase_open, self.ids.negative_open):
            state.tokens, state.by_opener = [], not models_tag
        elif stream.in_phrase and token not in self._tags:
            state.tokens.append(token)
        return token

    def _maybe_close(self, token: int, state: _PhraseState) -> int:
        """``</p>`` instead of ``token`` when the open phrase is a finished taxonomy term, or
        (a phrase the opener began) when ``token`` would make it no term's beginning."""
        longer = self.tokenizer.decode([*state.tokens, token], skip_special_tokens=False)
        if state.by_opener and self.closer.hopeless(longer):
            return int(self.ids.phrase_close)
        if not state.tokens:
            return token
        text = self.tokenizer.decode(state.tokens, skip_special_tokens=False)
        if self.closer.should_close(text, longer, len(state.tokens)):
            return int(self.ids.phrase_close)
        return token

    def _maybe_open(self, token: int, text_before: str) -> int:
        """``<p>`` instead of ``token`` when the token starts a taxonomy term (and the
        sentence so far negates nothing); the model writes the term in the next steps."""
        piece = self.tokenizer.decode([token], skip_special_tokens=False)
        if self.opener.should_open(piece, text_before):
            return int(self.ids.phrase_open)
        return token

    def _emit(self, delta: str, stream: PhraseStream, callbacks: DecodeCallbacks) -> None:
        appended = stream.add_text(delta) if delta else ""
        if appended and callbacks.on_text is not None:
            callbacks.on_text(appended)

    def _consume(
        self,
        token: int,
        hidden: torch.Tensor,
        stream: PhraseStream,
        detokenizer: IncrementalDetokenizer,
        regions: RegionLocalizer,
        result: GroundedGeneration,
        callbacks: DecodeCallbacks,
        state: _PhraseState,
    ) -> None:
        """Route one generated token: text, phrase open/close, or an ignored tag."""
        ids = self.ids
        if token in (ids.phrase_open, ids.negative_open):
            self._emit(detokenizer.flush(), stream, callbacks)
            stream.open()
        elif token in (ids.phrase_close, ids.negative_close):
            self._emit(detokenizer.flush(), stream, callbacks)
            span = stream.close()
            if span is None or (state.by_opener and not self.closer.is_term(span.text)):
                return  # an empty phrase, or the opener's guess that became no term: plain text
            started = time.perf_counter()
            try:
                phrase = regions.localize(len(result.phrases), span, hidden)
            except (RuntimeError, ValueError) as error:
                raise InferenceError(f"localizing phrase {span.text!r} failed: {error}") from error
            spent = time.perf_counter() - started
            result.timings["localization_s"] = result.timings.get("localization_s", 0.0) + spent
            result.phrases.append(phrase)
            if callbacks.on_phrase is not None:
                callbacks.on_phrase(phrase)
        elif token in (ids.bos, ids.grd, ids.ngrd):
            return
        else:
            self._emit(detokenizer.push(token), stream, callbacks)
