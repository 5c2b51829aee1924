"""Finding-label F1 over CheXpert's 14 observations with a rule-based labeler.

Mentions come from a lexicon per observation; NegEx-style rules mark them negated or
uncertain. An observation is positive when any mention is positive or uncertain.
"No Finding" is positive when none of the other observations except Support Devices is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from training.synthesis.tagging.negation import Assertion, assertion_of

OBSERVATIONS = (
    "No Finding",
    "Enlarged Cardiomediastinum",
    "Cardiomegaly",
    "Lung Opacity",
    "Lung Lesion",
    "Edema",
    "Consolidation",
    "Pneumonia",
    "Atelectasis",
    "Pneumothorax",
    "Pleural Effusion",
    "Pleural Other",
    "Fracture",
    "Support Devices",
)
MENTIONS: dict[str, tuple[str, ...]] = {
    "Enlarged Cardiomediastinum": (
        "enlarged cardiomediastinum",
        "widened mediastinum",
        "mediastinal widening",
        "mediastinum is widened",
        "enlarged cardiomediastinal silhouette",
    ),
    "Cardiomegaly": (
        "cardiomegaly",
        "enlarged heart",
        "heart is enlarged",
        "heart size is enlarged",
        "cardiac enlargement",
        "enlarged cardiac silhouette",
        "enlargement of the heart",
        "cardiac silhouette is enlarged",
    ),
    "Lung Opacity": (
        "opacity",
        "opacities",
        "opacification",
        "infiltrate",
        "infiltrates",
        "infiltration",
        "airspace disease",
        "haziness",
        "ground-glass",
        "ground glass",
        "density",
    ),
    "Lung Lesion": (
        "nodule",
        "nodules",
        "mass",
        "masses",
        "lesion",
        "lesions",
        "tumor",
        "neoplasm",
    ),
    "Edema": ("edema", "oedema", "vascular congestion", "pulmonary congestion", "kerley"),
    "Consolidation": ("consolidation", "consolidations", "consolidative"),
    "Pneumonia": ("pneumonia", "infection", "infectious process"),
    "Atelectasis": ("atelectasis", "atelectatic", "collapse", "volume loss"),
    "Pneumothorax": ("pneumothorax", "pneumothoraces"),
    "Pleural Effusion": (
        "pleural effusion",
        "pleural effusions",
        "effusion",
        "effusions",
        "pleural fluid",
        "blunting of the costophrenic",
    ),
    "Pleural Other": ("pleural thickening", "pleural plaque", "pleural plaques", "fibrothorax"),
    "Fracture": ("fracture", "fractures", "fractured"),
    "Support Devices": (
        "tube",
        "catheter",
        "pacemaker",
        "picc",
        "central line",
        "sternotomy wires",
        "stent",
        "port",
        "device",
        "devices",
        "clip",
        "clips",
    ),
}
# Phrases that contain a mention word but name something else (matched first, then ignored).
IGNORED = ("pericardial effusion", "mass effect", "no new", "lung volumes", "lesser fissure")


@dataclass(frozen=True)
class _Lexicon:
    pattern: re.Pattern[str]
    owner: dict[str, str | None]


def _build() -> _Lexicon:
    owner: dict[str, str | None] = {term: None for term in IGNORED}
    for observation, terms in MENTIONS.items():
        for term in terms:
            owner.setdefault(term, observation)
    alternatives = "|".join(
        re.escape(t).replace(r"\ ", r"\s+") for t in sorted(owner, key=len, reverse=True)
    )
    return _Lexicon(re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE), owner)


_LEXICON = _build()


def label_report(text: str) -> dict[str, int]:
    """Binary label (1 = positive or uncertain) of each of the 14 observations."""
    states: dict[str, set[Assertion]] = {}
    for match in _LEXICON.pattern.finditer(text):
        observation = _LEXICON.owner.get(" ".join(match.group(0).lower().split()))
        if observation is None:
            continue
        status = assertion_of(text, match.start(), match.end())
        states.setdefault(observation, set()).add(status)
    labels = {name: 0 for name in OBSERVATIONS}
    for observation, found in states.items():
        if Assertion.POSITIVE in found or Assertion.UNCERTAIN in found:
            labels[observation] = 1
    others = [n for n in OBSERVATIONS if n not in ("No Finding", "Support Devices")]
    labels["No Finding"] = int(not any(labels[n] for n in others))
    return labels


@dataclass(frozen=True)
class LabelF1:
    """Per-observation F1 and the macro/micro averages."""

    per_label: dict[str, float]
    macro: float
    micro: float


def finding_f1(hypotheses: Sequence[str], references: Sequence[str]) -> LabelF1:
    """CheXpert-14 F1 of generated reports against references (0/0 counts as 0, like sklearn)."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    counts = {name: [0, 0, 0] for name in OBSERVATIONS}  # tp, fp, fn
    for hypothesis, reference in zip(hypotheses, references, strict=True):
        predicted, truth = label_report(hypothesis), label_report(reference)
        for name in OBSERVATIONS:
            if predicted[name] and truth[name]:
                counts[name][0] += 1
            elif predicted[name]:
                counts[name][1] += 1
            elif truth[name]:
                counts[name][2] += 1
    per_label = {}
    for name, (tp, fp, fn) in counts.items():
        denominator = 2 * tp + fp + fn
        per_label[name] = 2 * tp / denominator if denominator else 0.0
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    micro = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0
    macro = sum(per_label.values()) / len(per_label)
    return LabelF1(per_label, macro, micro)
