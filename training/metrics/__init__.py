"""Evaluation metrics: report text overlap and finding F1, VQA accuracy, Dice and boxes."""

from training.metrics.boxes import (
    BoxMatch,
    average_precision,
    box_giou,
    box_iou,
    box_l1,
    match_boxes,
    normalized_center_size,
)
from training.metrics.chexpert import OBSERVATIONS, LabelF1, finding_f1, label_report
from training.metrics.segmentation import dice, dice_per_target
from training.metrics.text_overlap import bleu_tokens, corpus_bleu, mean_rouge_l, rouge_l
from training.metrics.vqa import VqaAccuracy, is_closed, normalize_answer, vqa_accuracy

__all__ = [
    "OBSERVATIONS",
    "BoxMatch",
    "LabelF1",
    "VqaAccuracy",
    "average_precision",
    "bleu_tokens",
    "box_giou",
    "box_iou",
    "box_l1",
    "corpus_bleu",
    "dice",
    "dice_per_target",
    "finding_f1",
    "is_closed",
    "label_report",
    "match_boxes",
    "mean_rouge_l",
    "normalize_answer",
    "normalized_center_size",
    "rouge_l",
    "vqa_accuracy",
]
