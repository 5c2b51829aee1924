"""Closing an open phrase at the end of a taxonomy term (constrained grounded decoding).

The model opens a phrase with ``<p>`` and should close it with ``</p>``. A model trained
for only minutes (the shipped demo model) learns to open phrases but hardly ever emits
``</p>`` (p ≈ 1e-4 where its training data closes one), so its phrases would never end.
With ``close_phrases="taxonomy"`` the decoder closes an open phrase itself once the
phrase's text is a complete taxonomy term (name or synonym) that the model's next token
does not extend into a longer one, or once it has run ``max_tokens`` tokens. The hidden
state of that step is the one ``vg_proj`` reads, exactly as for a ``</p>`` the model chose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vividmed_viewer.core.taxonomy import Taxonomy


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass
class TaxonomyPhraseCloser:
    """Decides whether an open phrase ends before the model's next token."""

    taxonomy: Taxonomy
    max_tokens: int = 8
    _terms: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self._terms = frozenset(normalise(term) for term in self.taxonomy.terms())

    def is_term(self, text: str) -> bool:
        return normalise(text) in self._terms

    def extends_a_term(self, text: str) -> bool:
        """Whether ``text`` is the start of some term longer than itself."""
        wanted = normalise(text)
        return any(term.startswith(wanted) and term != wanted for term in self._terms)

    def hopeless(self, text: str) -> bool:
        """Whether ``text`` is neither a term nor the beginning of one."""
        return not (self.is_term(text) or self.extends_a_term(text))

    def should_close(self, phrase_text: str, with_next_token: str, token_count: int) -> bool:
        """Close before the next token: the phrase is a term the next token does not lengthen
        (into a term, or into the start of one), or it has grown too long."""
        if token_count >= self.max_tokens:
            return True
        if not self.is_term(phrase_text):
            return False
        return self.hopeless(with_next_token.rstrip())
