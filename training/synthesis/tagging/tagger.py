"""Tag a free-text report's phrases to taxonomy targets, dropping negated/uncertain findings.

1. Lexicon: names and synonyms of the taxonomy (exact, longest match).
2. Paraphrases: word n-grams of each clause embedded with all-MiniLM-L6-v2 and compared
   with the embedded taxonomy terms (cosine ≥ ``threshold`` and a clear margin over the
   best other target). A paraphrase may swallow an anatomy mention ("enlargement of the
   heart" → cardiomegaly) but never an abnormality mention.
3. NegEx-style rules: abnormalities that are negated or uncertain are dropped; anatomy
   names are dropped only when a trigger stands right before them.
"""

from __future__ import annotations

import re
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from training.synthesis.phantom.case import PhraseTag
from training.synthesis.tagging.lexicon import Mention, find_mentions
from training.synthesis.tagging.negation import Assertion, assertion_of
from vividmed_viewer.core import Taxonomy, default_taxonomy

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "with",
        "and",
        "or",
        "no",
        "not",
        "there",
        "this",
        "that",
        "its",
        "their",
        "as",
        "by",
        "for",
        "from",
        "into",
        "it",
        "which",
        "small",
        "large",
        "mild",
        "moderate",
        "severe",
        "new",
    ]
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_CLAUSE = re.compile(r"[^.;:,\n]+")
_TERM_VECTORS: dict[tuple[int, int], NDArray[np.float32]] = {}


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> NDArray[np.float32]: ...


def _candidates(text: str, max_words: int) -> list[tuple[int, int]]:
    spans = []
    for clause in _CLAUSE.finditer(text):
        words = [
            (m.start() + clause.start(), m.end() + clause.start(), m.group(0).lower())
            for m in _WORD.finditer(clause.group(0))
        ]
        for i in range(len(words)):
            if words[i][2] in STOPWORDS:
                continue
            for j in range(i + 1, min(len(words), i + max_words)):
                if words[j][2] not in STOPWORDS:
                    spans.append((words[i][0], words[j][1]))
    return spans


def _paraphrases(
    text: str,
    lexical: list[Mention],
    taxonomy: Taxonomy,
    embedder: Embedder,
    threshold: float,
    margin: float,
    max_words: int,
) -> list[Mention]:
    abnormal = [m for m in lexical if taxonomy[m.target].wants_boxes]
    spans = [
        (s, e)
        for s, e in _candidates(text, max_words)
        if not any(m.start < e and s < m.end for m in abnormal)
    ]
    if not spans:
        return []
    terms = taxonomy.terms()
    names = list(terms)
    key = (id(embedder), id(taxonomy))
    if key not in _TERM_VECTORS:
        _TERM_VECTORS[key] = embedder.embed(names)
    term_vectors = _TERM_VECTORS[key]
    span_vectors = embedder.embed([text[s:e] for s, e in spans])
    similarity = span_vectors @ term_vectors.T
    found = []
    for row, (start, end) in enumerate(spans):
        order = np.argsort(similarity[row])[::-1]
        best = terms[names[order[0]]]
        score = float(similarity[row, order[0]])
        runner_up = next(
            (float(similarity[row, k]) for k in order[1:] if terms[names[k]].name != best.name), 0.0
        )
        if score < threshold or score - runner_up < margin:
            continue
        covered = [m for m in lexical if m.start < end and start < m.end]
        if covered and not best.wants_boxes:
            continue
        if any(m.target == best.name for m in covered):
            continue
        found.append(Mention(start, end, best.name, score, "embedding"))
    return found


def tag_report(
    text: str,
    taxonomy: Taxonomy | None = None,
    embedder: Embedder | None = None,
    threshold: float = 0.82,
    margin: float = 0.04,
    max_words: int = 6,
) -> list[PhraseTag]:
    """``[{phrase, target, start, end}]`` of the asserted mentions, in text order.

    Pass ``embedder`` (e.g. :func:`default_embedder`) to find paraphrases; without it only
    the lexicon is used.
    """
    taxonomy = taxonomy or default_taxonomy()
    mentions = find_mentions(text, taxonomy)
    if embedder is not None:
        extra = _paraphrases(text, mentions, taxonomy, embedder, threshold, margin, max_words)
        chosen: list[Mention] = []
        for mention in sorted(extra, key=lambda m: -m.score):
            if not any(c.start < mention.end and mention.start < c.end for c in chosen):
                chosen.append(mention)
        mentions = [
            m for m in mentions if not any(c.start < m.end and m.start < c.end for c in chosen)
        ] + chosen
    tags: list[PhraseTag] = []
    for mention in sorted(mentions, key=lambda m: m.start):
        anatomy = not taxonomy[mention.target].wants_boxes
        status = assertion_of(text, mention.start, mention.end, adjacent_only=anatomy)
        if status is not Assertion.POSITIVE:
            continue
        tags.append(
            {
                "phrase": text[mention.start : mention.end],
                "target": mention.target,
                "start": mention.start,
                "end": mention.end,
            }
        )
    return tags
