"""Deterministic synthetic chest phantoms: CT, DRR, masks, boxes and tagged reports."""

from training.synthesis.phantom.case import ImageKind, PhantomCase, PhraseTag
from training.synthesis.phantom.generator import PhantomConfig, generate_phantom
from training.synthesis.phantom.grounded import to_grounded_report

__all__ = [
    "ImageKind",
    "PhantomCase",
    "PhantomConfig",
    "PhraseTag",
    "generate_phantom",
    "to_grounded_report",
]
