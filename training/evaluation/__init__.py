"""Evaluation of trained checkpoints on held-out phantoms (report, VQA, Dice, boxes)."""

from training.evaluation.evaluate import EvaluationSettings, evaluate_checkpoint, evaluate_image

__all__ = ["EvaluationSettings", "evaluate_checkpoint", "evaluate_image"]
