"""Tag free-text reports to taxonomy targets (lexicon + sentence embedder + NegEx rules)."""

from training.synthesis.tagging.embedder import SentenceEmbedder, default_embedder
from training.synthesis.tagging.lexicon import Mention, find_mentions
from training.synthesis.tagging.negation import Assertion, assertion_of
from training.synthesis.tagging.tagger import tag_report

__all__ = [
    "Assertion",
    "Mention",
    "SentenceEmbedder",
    "assertion_of",
    "default_embedder",
    "find_mentions",
    "tag_report",
]
