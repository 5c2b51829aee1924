"""BLEU-4, ROUGE-L (against sacrebleu / rouge-score), CheXpert-14 F1 and VQA accuracy."""

from __future__ import annotations

import pytest
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU

from training.metrics import (
    OBSERVATIONS,
    bleu_tokens,
    corpus_bleu,
    finding_f1,
    label_report,
    mean_rouge_l,
    rouge_l,
    vqa_accuracy,
)

HYPOTHESES = [
    "The heart is normal in size. No pleural effusion or pneumothorax.",
    "Small left pleural effusion. The lungs are clear.",
    "Large right pneumothorax with mediastinal shift.",
    "Cardiomegaly.",
]
REFERENCES = [
    "Heart size is normal. There is no pleural effusion and no pneumothorax.",
    "Small left pleural effusion with adjacent atelectasis. Otherwise clear lungs.",
    "Moderate right pneumothorax. No mediastinal shift.",
    "The heart is enlarged. Small bilateral effusions.",
]


@pytest.mark.parametrize("smooth", [True, False])
def test_bleu_matches_sacrebleu(smooth: bool) -> None:
    reference_bleu = BLEU(tokenize="none", smooth_method="exp" if smooth else "none")
    tokenized_h = [" ".join(bleu_tokens(h)) for h in HYPOTHESES]
    tokenized_r = [" ".join(bleu_tokens(r)) for r in REFERENCES]
    expected = reference_bleu.corpus_score(tokenized_h, [tokenized_r]).score / 100
    assert corpus_bleu(HYPOTHESES, REFERENCES, smooth=smooth) == pytest.approx(expected, abs=1e-9)
    one = reference_bleu.corpus_score(tokenized_h[:1], [tokenized_r[:1]]).score / 100
    assert corpus_bleu(HYPOTHESES[:1], REFERENCES[:1], smooth=smooth) == pytest.approx(
        one, abs=1e-9
    )


def test_bleu_edge_cases() -> None:
    assert corpus_bleu(["same words here today"], ["same words here today"]) == pytest.approx(1.0)
    assert corpus_bleu([""], ["something"]) == 0.0
    with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
        corpus_bleu(["a", "b"], ["a"])


def test_rouge_l_matches_rouge_score() -> None:
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    expected = [
        scorer.score(r, h)["rougeL"].fmeasure for h, r in zip(HYPOTHESES, REFERENCES, strict=True)
    ]
    for hypothesis, reference, value in zip(HYPOTHESES, REFERENCES, expected, strict=True):
        assert rouge_l(hypothesis, reference) == pytest.approx(value, abs=1e-12)
    assert mean_rouge_l(HYPOTHESES, REFERENCES) == pytest.approx(sum(expected) / len(expected))


def test_chexpert_labeler_reads_negation_and_uncertainty() -> None:
    labels = label_report(
        "Cardiomegaly. No pneumothorax. Possible left lower lobe pneumonia. "
        "Small pericardial effusion. Endotracheal tube in place."
    )
    assert labels["Cardiomegaly"] == 1 and labels["Pneumonia"] == 1  # uncertain counts
    assert labels["Pneumothorax"] == 0 and labels["Pleural Effusion"] == 0
    assert labels["Support Devices"] == 1 and labels["No Finding"] == 0
    assert (
        label_report("No acute cardiopulmonary process. Lines and tubes removed.")["No Finding"]
        == 1
    )
    assert len(labels) == len(OBSERVATIONS) == 14


def test_finding_f1_counts() -> None:
    result = finding_f1(HYPOTHESES, REFERENCES)
    # Case by case: (1) both No Finding; (2) effusion TP, atelectasis FN; (3) pneumothorax TP;
    # (4) cardiomegaly TP, effusion FN.
    assert result.per_label["Pneumothorax"] == 1.0
    assert result.per_label["Cardiomegaly"] == 1.0
    assert result.per_label["Pleural Effusion"] == pytest.approx(2 / 3)
    assert result.per_label["Atelectasis"] == 0.0
    assert result.per_label["No Finding"] == 1.0
    assert result.micro == pytest.approx(2 * 4 / (2 * 4 + 0 + 2))
    assert result.macro == pytest.approx(sum(result.per_label.values()) / 14)


def test_vqa_accuracy_closed_and_open() -> None:
    result = vqa_accuracy(
        ["Yes", "no", "The left lung.", "CT", "2"],
        ["yes", "Yes", "left lung", "MRI", "2"],
    )
    assert result.closed == 0.5
    assert result.open == pytest.approx(2 / 3)
    assert result.overall == pytest.approx(3 / 5) and result.count == 5
