"""The user's inference settings: device, token limit, box threshold, heads, grounded chat."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from vividmed_viewer.core.errors import ValidationError

DEVICES = ("auto", "cpu", "cuda")
HEADS = ("taxonomy", "both", "mask", "boxes")
DEFAULT_MODEL = "demo"


@dataclass(frozen=True)
class InferenceSettings:
    """How the model runs; validated on construction.

    ``box_threshold`` ``None`` keeps the checkpoint's own threshold.
    """

    device: str = "auto"
    max_new_tokens: int = 256
    box_threshold: float | None = None
    heads: str = "taxonomy"
    grounded_chat: bool = True

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ValidationError(f"device must be one of {DEVICES}, got {self.device!r}")
        if not 1 <= int(self.max_new_tokens) <= 4096:
            raise ValidationError(
                f"max new tokens must be between 1 and 4096, got {self.max_new_tokens}"
            )
        if self.box_threshold is not None and not 0.0 <= float(self.box_threshold) <= 1.0:
            raise ValidationError(
                f"box threshold must be between 0 and 1, got {self.box_threshold}"
            )
        if self.heads not in HEADS:
            raise ValidationError(f"heads must be one of {HEADS}, got {self.heads!r}")

    def with_changes(self, **changes: Any) -> InferenceSettings:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
