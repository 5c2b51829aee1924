"""SAM/SegVol-style localization models driven by phrase prompts: masks and boxes."""

from model.localization.instance import InstanceLocalizer, InstanceOutput
from model.localization.semantic import SemanticLocalizer

__all__ = ["InstanceLocalizer", "InstanceOutput", "SemanticLocalizer"]
