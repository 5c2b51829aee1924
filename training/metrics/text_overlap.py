"""BLEU-4 (corpus, sacreBLEU's "exp" smoothing) and ROUGE-L (mean F1), written for the project.

Both are cross-checked in the tests against sacrebleu and rouge-score on the same tokens.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_BLEU_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
_ROUGE_SPLIT = re.compile(r"[^a-z0-9]+")


def bleu_tokens(text: str) -> list[str]:
    """Lower-cased words and single punctuation marks."""
    return _BLEU_TOKEN.findall(text.lower())


def rouge_tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric words (ROUGE's original tokenization, no stemming)."""
    return [token for token in _ROUGE_SPLIT.split(text.lower()) if token]


def _ngrams(tokens: list[str], order: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + order]) for i in range(len(tokens) - order + 1))


def corpus_bleu(
    hypotheses: Sequence[str], references: Sequence[str], max_order: int = 4, smooth: bool = True
) -> float:
    """Corpus BLEU in [0, 1] with one reference per hypothesis.

    Clipped n-gram precisions are pooled over the corpus; an order with no match gets
    1 / (2^k · total) when ``smooth`` (k counts such orders), as sacreBLEU's "exp" method.
    """
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    matches, totals = [0] * max_order, [0] * max_order
    hypothesis_length = reference_length = 0
    for hypothesis, reference in zip(hypotheses, references, strict=True):
        hyp, ref = bleu_tokens(hypothesis), bleu_tokens(reference)
        hypothesis_length += len(hyp)
        reference_length += len(ref)
        for order in range(1, max_order + 1):
            hyp_grams, ref_grams = _ngrams(hyp, order), _ngrams(ref, order)
            matches[order - 1] += sum(min(c, ref_grams[g]) for g, c in hyp_grams.items())
            totals[order - 1] += max(0, len(hyp) - order + 1)
    if hypothesis_length == 0:
        return 0.0
    log_precision, smoothing = 0.0, 1.0
    for order in range(max_order):
        if totals[order] == 0:
            return 0.0
        if matches[order] == 0:
            if not smooth:
                return 0.0
            smoothing *= 2.0
            precision = 1.0 / (smoothing * totals[order])
        else:
            precision = matches[order] / totals[order]
        log_precision += math.log(precision) / max_order
    penalty = (
        1.0
        if hypothesis_length >= reference_length
        else math.exp(1.0 - reference_length / hypothesis_length)
    )
    return penalty * math.exp(log_precision)


def _lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[-1]))
        previous = current
    return previous[-1]


def rouge_l(hypothesis: str, reference: str) -> float:
    """ROUGE-L F1 of one pair (longest common subsequence of tokens)."""
    hyp, ref = rouge_tokens(hypothesis), rouge_tokens(reference)
    if not hyp or not ref:
        return 0.0
    common = _lcs_length(hyp, ref)
    if common == 0:
        return 0.0
    precision, recall = common / len(hyp), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def mean_rouge_l(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """ROUGE-L F1 averaged over pairs."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not hypotheses:
        return 0.0
    return sum(rouge_l(h, r) for h, r in zip(hypotheses, references, strict=True)) / len(hypotheses)
