"""Training losses of the localization heads and the box utilities they need."""

from model.losses.boxes import (
    box_iou,
    box_volume,
    center_size_to_corners,
    corners_to_center_size,
    generalized_box_iou,
)
from model.losses.instance_loss import InstanceLossOutput, instance_loss, sigmoid_focal_loss
from model.losses.mask_loss import mask_loss
from model.losses.matching import hungarian_match, matching_cost

__all__ = [
    "InstanceLossOutput",
    "box_iou",
    "box_volume",
    "center_size_to_corners",
    "corners_to_center_size",
    "generalized_box_iou",
    "hungarian_match",
    "instance_loss",
    "mask_loss",
    "matching_cost",
    "sigmoid_focal_loss",
]
