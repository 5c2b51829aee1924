"""Qt-, VTK- and torch-free domain model shared by the viewer, the model and training."""

from vividmed_viewer.core.conversation import Conversation, Role, Turn
from vividmed_viewer.core.errors import (
    CheckpointError,
    DicomError,
    ImageLoadError,
    InferenceError,
    ModelError,
    NiftiError,
    RadiographError,
    ReaderStudyError,
    RenderError,
    SerializationError,
    TrainingError,
    ValidationError,
    VividMedError,
)
from vividmed_viewer.core.events import EventEmitter
from vividmed_viewer.core.geometry import GridGeometry, default_direction, direction_from_dicom
from vividmed_viewer.core.grounded_text import GroundedText, Phrase
from vividmed_viewer.core.image_volume import ImageVolume, SpacingSource, VolumeMetadata
from vividmed_viewer.core.overlays import Box, BoxOverlay, MaskOverlay, Overlay, overlay_from_dict
from vividmed_viewer.core.provenance import Provenance, SourceKind
from vividmed_viewer.core.report import GroundedReport, ReportStatus
from vividmed_viewer.core.study import Series, SeriesKind, Study
from vividmed_viewer.core.taxonomy import Target, TargetCategory, Taxonomy, default_taxonomy
from vividmed_viewer.core.window import WINDOW_PRESETS, WindowLevel, percentile_window

__all__ = [
    "WINDOW_PRESETS",
    "Box",
    "BoxOverlay",
    "CheckpointError",
    "Conversation",
    "DicomError",
    "EventEmitter",
    "GridGeometry",
    "GroundedReport",
    "GroundedText",
    "ImageLoadError",
    "ImageVolume",
    "InferenceError",
    "MaskOverlay",
    "ModelError",
    "NiftiError",
    "Overlay",
    "Phrase",
    "Provenance",
    "RadiographError",
    "ReaderStudyError",
    "RenderError",
    "ReportStatus",
    "Role",
    "SerializationError",
    "Series",
    "SeriesKind",
    "SourceKind",
    "SpacingSource",
    "Study",
    "Target",
    "TargetCategory",
    "Taxonomy",
    "TrainingError",
    "Turn",
    "ValidationError",
    "VividMedError",
    "VolumeMetadata",
    "WindowLevel",
    "default_direction",
    "default_taxonomy",
    "direction_from_dicom",
    "overlay_from_dict",
    "percentile_window",
]
