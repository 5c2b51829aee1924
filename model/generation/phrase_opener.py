"""Opening a phrase where the model starts a taxonomy term (constrained grounded decoding).

With ``open_phrases="taxonomy"`` the decoder, outside a phrase, replaces the model's next
token by ``<p>`` when that token starts a word that begins a taxonomy term ("lungs",
"heart", "left lower lobe", "cardiomegaly", …) in a sentence that states no negation (the
training reports tag what is present and leave "No pleural effusion." untagged). The model
then writes the term itself inside the phrase, and the phrase ends at its ``</p>`` or at
the end of the term (:mod:`model.generation.phrase_closer`): the mask still comes from the
model's own hidden state through ``vg_proj``. It is for models that write a report's words
but were trained too briefly to place the tags (the provenance records the setting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from model.generation.phrase_closer import normalise
from vividmed_viewer.core.taxonomy import Taxonomy

NEGATIONS = frozenset({"no", "not", "without", "negative", "absent", "resolved", "free"})
MIN_PREFIX = 2  # a token must carry this many letters of a term's first word (" cl"avicles)
#: First words of terms that are also plain adjectives/nouns of report prose ("the heart is
#: enlarged", "both lungs", "volume"): a phrase does not open on them.
PROSE_WORDS = frozenset(
    {"both", "body", "calcified", "collapsed", "enlarged", "fractured", "lateral", "middle"}
    | {"shift", "soft", "volume", "widened"}
    # abbreviations (la, rv, lul, …): a two-letter token such as " la" would open on them
    | {"la", "ra", "lv", "rv", "lll", "lul", "rll", "rml", "rul"}
)


@dataclass
class TaxonomyPhraseOpener:
    """Decides whether a phrase opens before the model's next token."""

    taxonomy: Taxonomy
    _first_words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        words = (normalise(term).split() for term in self.taxonomy.terms())
        self._first_words = frozenset(parts[0] for parts in words if parts) - PROSE_WORDS

    def starts_a_term(self, token_text: str, text_before: str) -> bool:
        """Whether ``token_text`` begins a word (a space or the start of the text before it) that is
        at least ``MIN_PREFIX`` letters of a term's first word."""
        if not (token_text[:1].isspace() or not text_before or text_before[-1].isspace()):
            return False
        word = normalise(token_text)
        if len(word) < MIN_PREFIX or not word.isalpha():
            return False
        return any(first.startswith(word) for first in self._first_words)

    def should_open(self, token_text: str, text_before: str) -> bool:
        """Open a phrase before this token: it starts a term in a sentence with no negation."""
        if not self.starts_a_term(token_text, text_before):
            return False
        sentence = re.split(r"[.:\n]", text_before)[-1]
        return not NEGATIONS & set(re.findall(r"[a-z]+", sentence.lower()))
