"""The image processor: image space ↔ model space (the only place that resamples).

Images come in as anything shaped like :class:`ModelImage` (the viewer's ``ImageVolume``
is one); masks and boxes go back out on that image's own grid (:class:`ImageGrid`,
:class:`VoxelBox`).
"""

from model.processor.image_grid import ImageGrid
from model.processor.image_input import ArrayImage, IntensityWindow, ModelImage
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
from model.processor.voxel_box import BoxCorners, VoxelBox

__all__ = [
    "CLIP_MEAN",
    "CLIP_STD",
    "EVALUATION_TOKEN_BUDGET",
    "TRAINING_TOKEN_BUDGET",
    "ArrayImage",
    "BoxCorners",
    "GridPlan",
    "ImageGrid",
    "ImageTransform",
    "IntensityRecord",
    "IntensityWindow",
    "ModelImage",
    "ProcessedImage",
    "VividMedImageProcessor",
    "VoxelBox",
    "plan_model_grid",
    "scale_intensity",
]
