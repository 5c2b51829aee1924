"""Split a free-text radiology report into its FINDINGS and IMPRESSION sections."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*([A-Z][A-Z /]+):", re.MULTILINE)


def report_sections(text: str) -> dict[str, str]:
    """Upper-case "HEADER:" sections, keyed by lower-case header ("findings", "impression")."""
    sections: dict[str, str] = {}
    matches = list(_HEADER.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = " ".join(text[match.end() : end].split())
        sections[match.group(1).strip().lower()] = body
    return sections


def findings_and_impression(text: str) -> str:
    """FINDINGS + IMPRESSION as one paragraph (the whole text when neither header exists)."""
    sections = report_sections(text)
    parts = [sections[k] for k in ("findings", "impression") if sections.get(k)]
    return " ".join(parts) if parts else " ".join(text.split())
