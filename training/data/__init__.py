"""Training samples, conversation builders for stages 1-3, dataset adapters and readers."""

from training.data.label_map import instance_boxes, labelled_case_from_label_map
from training.data.phrase_tags import insert_phrase_tags, strip_phrase_tags, tag_phrase
from training.data.samples import ConversationSample, GroundingTarget, LabelledCase
from training.data.stage1 import build_detection_sample, build_presence_sample
from training.data.stage2 import build_report_sample, build_vqa_sample
from training.data.stage3 import build_grounded_report_sample

__all__ = [
    "ConversationSample",
    "GroundingTarget",
    "LabelledCase",
    "build_detection_sample",
    "build_grounded_report_sample",
    "build_presence_sample",
    "build_report_sample",
    "build_vqa_sample",
    "insert_phrase_tags",
    "instance_boxes",
    "labelled_case_from_label_map",
    "strip_phrase_tags",
    "tag_phrase",
]
