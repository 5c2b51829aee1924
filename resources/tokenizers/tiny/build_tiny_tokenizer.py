"""Rebuild ``tokenizer.json``: a byte-level BPE (vocabulary 512) for the ``tiny`` test model.

Trained on the taxonomy's target names and synonyms plus a few report sentences written
for this project, so it needs no download and stays small. Run from the repository root:
``.venv/bin/python resources/tokenizers/tiny/build_tiny_tokenizer.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

HERE = Path(__file__).resolve().parent
TAXONOMY = HERE.parents[1] / "taxonomy.json"
SENTENCES = [
    "The lungs are clear. No pleural effusion or pneumothorax.",
    "Heart size is normal. The mediastinum is not widened.",
    "There is a small nodule in the right upper lobe.",
    "Findings: consolidation in the left lower lobe, likely pneumonia.",
    "Impression: mild cardiomegaly with pulmonary edema.",
    "Are left lung, heart and liver included in the image? Answer each with yes or no.",
    "Results: left lung: yes, heart: yes, liver: no.",
    "Write the radiology report for this image.",
    "What is the modality of this image? Which plane is shown? Is there an abnormality?",
    "Chest radiograph, posteroanterior view. Axial CT of the chest with contrast.",
    "The quick brown fox jumps over the lazy dog 0123456789, ; : ( ) - / ?",
]


def corpus() -> list[str]:
    """Training lines: every taxonomy term (several casings) and the sentences above."""
    data = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    lines = list(SENTENCES)
    for target in data["targets"]:
        for term in (target["name"], *target.get("synonyms", ())):
            lines += [term, term.capitalize(), f"the {term} is normal"]
    return lines


def main() -> None:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus(), trainer=trainer)
    tokenizer.save(str(HERE / "tokenizer.json"))


if __name__ == "__main__":
    main()
