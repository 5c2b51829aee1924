"""The image processor: image space ↔ model space (the only place that resamples)."""

from model.processor.intensity import IntensityRecord, scale_intensity
from model.processor.processor import (
    CLIP_MEAN,
    CLIP_STD,
    EVALUATION_TOKEN_BUDGET,
    TRAINING_TOKEN_BUDGET,
    ProcessedImage,
    VividMedImageProcessor,
)
from model.processor.sizing import GridPlan, plan_model_grid
from model.processor.transform import ImageTransform

__all__ = [
    "CLIP_MEAN",
    "CLIP_STD",
    "EVALUATION_TOKEN_BUDGET",
    "TRAINING_TOKEN_BUDGET",
    "GridPlan",
    "ImageTransform",
    "IntensityRecord",
    "ProcessedImage",
    "VividMedImageProcessor",
    "plan_model_grid",
    "scale_intensity",
]
