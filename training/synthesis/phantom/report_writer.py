"""Radiologist-style reports written from a phantom's findings, with their phrase tags.

Present structures and abnormalities are tagged; negative statements ("No pneumothorax.")
are written in words and never tagged. A phrase is tagged only when its target has a
mask or boxes on the image the report describes (``available``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from training.synthesis.phantom.case import PhraseTag

Part = str | tuple[str, str] | tuple[str, str, list[int]]
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}


class _ReportText:
    """Accumulates text and the tags of its phrases."""

    def __init__(self, available: set[str]) -> None:
        self.text = ""
        self.tags: list[PhraseTag] = []
        self.available = available

    def write(self, *parts: Part) -> None:
        for part in parts:
            if isinstance(part, str):
                self.text += part
                continue
            phrase, target = part[0], part[1]
            start = len(self.text)
            self.text += phrase
            if target in self.available:
                tag: PhraseTag = {
                    "phrase": phrase,
                    "target": target,
                    "start": start,
                    "end": start + len(phrase),
                }
                if len(part) == 3:
                    tag["instances"] = list(part[2])
                self.tags.append(tag)


def _pick(rng: np.random.Generator, options: list[Any]) -> Any:
    return options[int(rng.integers(len(options)))]


def _sides(items: list[dict[str, Any]]) -> str:
    sides = {item["side"] for item in items}
    return "bilateral" if len(sides) == 2 else sides.pop()


def _findings_section(
    out: _ReportText, findings: dict[str, Any], modality: str, rng: np.random.Generator
) -> None:
    ct = modality == "ct"
    if ct:
        out.write("The ", ("trachea", "trachea"), " and ", ("main bronchi", "main bronchi"))
        out.write(_pick(rng, [" are patent. ", " are clear. "]))
    else:
        out.write("The ", ("trachea", "trachea"), " is midline. ")
    for index, item in enumerate(findings.get("consolidation", [])):
        out.write(_pick(rng, ["There is ", "Patchy "]), ("consolidation", "consolidation", [index]))
        out.write(" in the ", (item["lobe"], item["lobe"]), ". ")
    for index, item in enumerate(findings.get("lung nodule", [])):
        size = f"{item['diameter_mm']:.0f} mm"
        kind = item["kind"] if ct else "rounded"
        verb = "is seen in" if ct else "projects over"
        out.write(f"A {size} {kind} ", ("nodule", "lung nodule", [index]), f" {verb} the ")
        out.write((item["lobe"], item["lobe"]), ". ")
    if "consolidation" not in findings and "lung nodule" not in findings:
        expanded = "pneumothorax" not in findings
        clear = [" are clear. ", " are well expanded and clear. " if expanded else " are clear. "]
        out.write("The ", ("lungs", "lungs"), _pick(rng, clear))
    if "consolidation" not in findings:
        out.write(_pick(rng, ["No focal consolidation. ", "No airspace consolidation. "]))
    if "lung nodule" not in findings and ct:
        out.write(_pick(rng, ["No suspicious pulmonary nodule. ", "No pulmonary nodules. "]))
    effusions = findings.get("pleural effusion", [])
    if effusions:
        size = effusions[0]["size"].capitalize()
        plural = "pleural effusions" if len(effusions) == 2 else "pleural effusion"
        out.write(
            f"{size} {_sides(effusions)} ",
            (plural, "pleural effusion", list(range(len(effusions)))),
        )
        out.write(". " if ct else " with blunting of the costophrenic angle. ")
    else:
        out.write(_pick(rng, ["No pleural effusion. ", "No pleural fluid. "]))
    for index, item in enumerate(findings.get("pneumothorax", [])):
        out.write(
            f"{item['size'].capitalize()} {item['side']} apical ",
            ("pneumothorax", "pneumothorax", [index]),
            ". ",
        )
    if "pneumothorax" not in findings:
        out.write("No pneumothorax. ")
    if "cardiomegaly" in findings:
        noun = ("heart", "heart") if ct else ("cardiac silhouette", "heart")
        out.write(
            "The ",
            noun,
            " is enlarged, in keeping with ",
            ("cardiomegaly", "cardiomegaly", [0]),
            ". ",
        )
    else:
        out.write(
            "The ", ("heart", "heart"), _pick(rng, [" is normal in size. ", " size is normal. "])
        )
    if ct:
        out.write(
            "No pericardial effusion. The ", ("thoracic aorta", "aorta"), " is normal in caliber. "
        )
        out.write("The ", ("main pulmonary artery", "pulmonary artery"), " is of normal size. ")
    else:
        out.write("The ", ("aortic knob", "aorta"), " is unremarkable. ")
    for index, item in enumerate(findings.get("rib fracture", [])):
        kind = "minimally displaced" if item["displaced"] else "nondisplaced"
        ordinal = ORDINALS.get(item["rib"], f"{item['rib']}th")
        out.write(
            f"There is a {kind} {item['side']} {ordinal} ",
            ("rib fracture", "rib fracture", [index]),
            ". ",
        )
    if "rib fracture" not in findings:
        out.write("No acute rib fracture. ")
    if ct:
        out.write("The ", ("thoracic spine", "thoracic vertebrae"), " is normally aligned. ")
        out.write(
            "The visualized ",
            ("liver", "liver"),
            " and ",
            ("spleen", "spleen"),
            " are unremarkable.",
        )
    else:
        out.write("The ", ("clavicles", "clavicles"), " are intact.")


def _impression_section(out: _ReportText, findings: dict[str, Any], modality: str) -> None:
    lines: list[list[Part]] = []
    for index, item in enumerate(findings.get("lung nodule", [])):
        line: list[Part] = [f"{item['diameter_mm']:.0f} mm ", ("nodule", "lung nodule", [index])]
        line += [" in the ", (item["lobe"], item["lobe"]), "."]
        if item["diameter_mm"] >= 8:
            line.append(" Follow-up CT is recommended." if modality == "ct" else " Recommend CT.")
        lines.append(line)
    for index, item in enumerate(findings.get("consolidation", [])):
        lines.append(
            [
                ("Consolidation", "consolidation", [index]),
                " in the ",
                (item["lobe"], item["lobe"]),
                ".",
            ]
        )
    effusions = findings.get("pleural effusion", [])
    if effusions:
        words = f"{effusions[0]['size'].capitalize()} {_sides(effusions)} "
        lines.append(
            [words, ("pleural effusion", "pleural effusion", list(range(len(effusions)))), "."]
        )
    for index, item in enumerate(findings.get("pneumothorax", [])):
        lines.append(
            [
                f"{item['size'].capitalize()} {item['side']} ",
                ("pneumothorax", "pneumothorax", [index]),
                ".",
            ]
        )
    if "cardiomegaly" in findings:
        lines.append([("Cardiomegaly", "cardiomegaly", [0]), "."])
    for index, item in enumerate(findings.get("rib fracture", [])):
        ordinal = ORDINALS.get(item["rib"], f"{item['rib']}th")
        lines.append(
            [
                f"{item['side'].capitalize()} {ordinal} ",
                ("rib fracture", "rib fracture", [index]),
                ".",
            ]
        )
    if not lines:
        out.write("No acute cardiopulmonary abnormality.")
        return
    for number, line in enumerate(lines, start=1):
        out.write(f"{number}. " if number == 1 else f"\n{number}. ", *line)


def write_report(
    findings: dict[str, Any], modality: str, rng: np.random.Generator, available: set[str]
) -> tuple[str, list[PhraseTag]]:
    """Report text (FINDINGS + IMPRESSION) for ``modality`` "ct" or "drr", and its tags."""
    out = _ReportText(available)
    if modality == "ct":
        out.write("EXAMINATION: CT chest without intravenous contrast.\n\nFINDINGS:\n")
    else:
        out.write("EXAMINATION: Chest radiograph, PA view.\n\nFINDINGS:\n")
    _findings_section(out, findings, modality, rng)
    out.write("\n\nIMPRESSION:\n")
    _impression_section(out, findings, modality)
    return out.text, out.tags
