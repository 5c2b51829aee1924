"""The project's error hierarchy: every message names the file (where there is one) and the problem."""

from __future__ import annotations

from pathlib import Path


class VividMedError(Exception):
    """Base class of every error the project raises on purpose."""


class ValidationError(VividMedError, ValueError):
    """A core object was built with values outside their allowed range."""


class ImageLoadError(VividMedError):
    """A file or folder could not be read as an image.

    Parameters
    ----------
    path:
        The file or folder that failed.
    problem:
        What is wrong, in words a user can act on.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class DicomError(ImageLoadError):
    """A DICOM file, folder or DICOMDIR could not be read."""


class NiftiError(ImageLoadError):
    """A NIfTI file could not be read."""


class RadiographError(ImageLoadError):
    """A PNG/JPEG radiograph could not be read."""


class SerializationError(VividMedError):
    """A JSON document does not describe the core object it should."""


class RenderError(VividMedError):
    """A rendering pipeline could not be built or run."""


class ModelError(VividMedError):
    """The model could not be configured, run or loaded."""


class CheckpointError(ModelError):
    """A checkpoint directory is missing files or holds tensors of the wrong shape."""


class InferenceError(VividMedError):
    """Running the model on an image failed."""


class TrainingError(VividMedError):
    """A training run could not be configured or resumed."""


class ReaderStudyError(VividMedError):
    """A reader-study file is invalid or cannot be opened."""
