"""Write an :class:`ImageVolume` as a DICOM series (one file per slice) or one radiograph."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    UID,
    ComputedRadiographyImageStorage,
    CTImageStorage,
    DigitalXRayImageStorageForPresentation,
    ExplicitVRLittleEndian,
    MRImageStorage,
    SecondaryCaptureImageStorage,
    generate_uid,
)

from vividmed_viewer.core.image_volume import ImageVolume
from vividmed_viewer.io.errors import ImageWriteError

logger = logging.getLogger(__name__)

SOP_CLASS_BY_MODALITY: dict[str, UID] = {
    "CT": CTImageStorage,
    "MR": MRImageStorage,
    "CR": ComputedRadiographyImageStorage,
    "DX": DigitalXRayImageStorageForPresentation,
}
DEFAULT_FILE_NAME_PATTERN = "IM{number:04d}.dcm"


@dataclass(frozen=True)
class StoredValues:
    """Integer pixel values to store and the rescale that maps them back to voxel values."""

    pixels: NDArray[np.integer]
    slope: float
    intercept: float

    @property
    def signed(self) -> bool:
        return bool(np.issubdtype(self.pixels.dtype, np.signedinteger))


def choose_stored_values(voxels: NDArray[np.generic], modality: str) -> StoredValues:
    """Pick a 16-bit storage and rescale for the voxels (CT: unsigned with intercept -1024)."""
    low, high = float(voxels.min()), float(voxels.max())
    is_integer = np.issubdtype(voxels.dtype, np.integer) or bool(
        np.all(np.equal(np.mod(voxels, 1), 0))
    )
    if is_integer:
        if modality == "CT" and low >= -1024 and high - -1024 <= 65535:
            return StoredValues((voxels + 1024).astype(np.uint16), 1.0, -1024.0)
        if low >= 0 and high <= 65535:
            return StoredValues(voxels.astype(np.uint16), 1.0, 0.0)
        if low >= -32768 and high <= 32767:
            return StoredValues(voxels.astype(np.int16), 1.0, 0.0)
    # Floats or wide integers: spread the range over int16 with a slope.
    slope = max((high - low) / 65535.0, 1e-6)
    intercept = low + 32768.0 * slope
    stored = np.round((voxels.astype(np.float64) - intercept) / slope)
    return StoredValues(np.clip(stored, -32768, 32767).astype(np.int16), slope, intercept)


def _decimal(value: float) -> str:
    """A DS string with as many digits as its 16 characters allow."""
    for digits in range(12, 4, -1):
        text = f"{value:.{digits}g}"
        if len(text) <= 16:
            return text
    return f"{value:.4e}"


def _base_dataset(
    volume: ImageVolume,
    modality: str,
    series_description: str,
    patient_name: str,
    patient_id: str,
    study_instance_uid: str,
    series_instance_uid: str,
    stored: StoredValues,
) -> Dataset:
    """Attributes shared by every file of the series."""
    ds = Dataset()
    now = datetime.datetime.now()
    ds.SOPClassUID = SOP_CLASS_BY_MODALITY.get(modality, SecondaryCaptureImageStorage)
    ds.Modality = modality
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.StudyInstanceUID = study_instance_uid
    ds.SeriesInstanceUID = series_instance_uid
    ds.FrameOfReferenceUID = volume.metadata.frame_of_reference_uid or generate_uid()
    ds.StudyDate = now.strftime("%Y%m%d")
    ds.StudyTime = now.strftime("%H%M%S")
    ds.StudyID = "1"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.SeriesNumber = 1
    ds.StudyDescription = volume.metadata.study_description
    ds.SeriesDescription = series_description
    ds.Manufacturer = "VividMed Viewer"
    if volume.metadata.body_part:
        ds.BodyPartExamined = volume.metadata.body_part
    if ds.SOPClassUID == SecondaryCaptureImageStorage:
        ds.ConversionType = "WSD"
    _add_required_empty_attributes(ds, modality)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME1" if volume.invert_for_display else "MONOCHROME2"
    ds.Rows, ds.Columns = volume.shape[1], volume.shape[2]
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1 if stored.signed else 0
    ds.RescaleSlope = _decimal(stored.slope)
    ds.RescaleIntercept = _decimal(stored.intercept)
    ds.RescaleType = "HU" if modality == "CT" else "US"
    if volume.window is not None:
        ds.WindowCenter = _decimal(volume.window.center)
        ds.WindowWidth = _decimal(volume.window.width)
    return ds


def _finish(ds: Dataset, transfer_syntax: str | None, path: Path) -> None:
    """Add file meta, compress when asked, and save."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    if transfer_syntax is not None and UID(transfer_syntax) != ExplicitVRLittleEndian:
        try:
            ds.compress(UID(transfer_syntax), generate_instance_uid=False)
        except (RuntimeError, ValueError, NotImplementedError) as error:
            hint = ""
            if "JPEG 2000" in UID(transfer_syntax).name and min(ds.Rows, ds.Columns) < 64:
                hint = " (OpenJPEG's encoder needs images of at least 64 pixels a side)"
            raise ImageWriteError(
                f"{path}: cannot compress with transfer syntax "
                f"{UID(transfer_syntax).name or transfer_syntax}{hint}: {error}"
            ) from error
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(path, enforce_file_format=True)


def _add_required_empty_attributes(ds: Dataset, modality: str) -> None:
    """The IOD's Type 1 and Type 2 attributes an export knows nothing of (dciodvfy-clean).

    Type 2 attributes must be present, empty when unknown: an export does not know the tube
    voltage, the MR sequence, the side or how the patient lay.
    """
    if modality in ("CT", "MR"):
        ds.PositionReferenceIndicator = ""  # Frame of Reference module
        ds.PatientPosition = ""  # General Series: required (may be empty) for CT and MR
        ds.AcquisitionNumber = ""
        ds.ImageType = ["DERIVED", "SECONDARY", "AXIAL" if modality == "CT" else "OTHER"]
    if modality == "CT":
        ds.KVP = ""
    if modality == "MR":
        ds.ScanningSequence = "RM"  # research mode: the sequence is not known
        ds.SequenceVariant = "NONE"
        for keyword in (
            "ScanOptions",
            "MRAcquisitionType",
            "RepetitionTime",
            "EchoTime",
            "EchoTrainLength",
        ):
            setattr(ds, keyword, "")
    if modality in ("CR", "DX"):
        ds.ViewPosition = ""
        if "BodyPartExamined" not in ds:
            ds.BodyPartExamined = ""  # CR Series: Type 2
    if not ds.get("BodyPartExamined"):
        ds.Laterality = ""  # the body part is not known, so neither is its side


def write_dicom_series(
    volume: ImageVolume,
    folder: str | Path,
    *,
    modality: str | None = None,
    series_description: str = "VividMed export",
    patient_name: str = "Anonymous^",  # family name only (the caret: not the retired form)
    patient_id: str = "VIVIDMED",
    transfer_syntax: str | None = None,
    file_name_pattern: str = DEFAULT_FILE_NAME_PATTERN,
    series_instance_uid: str | None = None,
    study_instance_uid: str | None = None,
) -> list[Path]:
    """Write one DICOM file per slice with positions, orientation and rescale from the geometry.

    ``file_name_pattern`` may use ``{index}`` (0-based slice), ``{number}`` (1-based) and
    ``{sop_uid}``. Returns the paths written, in slice order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    modality = (modality or volume.modality or "OT").upper()
    stored = choose_stored_values(volume.voxels, modality)
    template = _base_dataset(
        volume,
        modality,
        series_description,
        patient_name,
        patient_id,
        study_instance_uid or volume.metadata.study_instance_uid or generate_uid(),
        series_instance_uid or generate_uid(),
        stored,
    )
    direction = volume.direction
    orientation = [*direction[:, 2].tolist(), *direction[:, 1].tolist()]
    template.ImageOrientationPatient = [_decimal(v) for v in orientation]
    template.PixelSpacing = [_decimal(volume.spacing[1]), _decimal(volume.spacing[2])]
    template.SliceThickness = _decimal(volume.spacing[0])
    template.SpacingBetweenSlices = _decimal(volume.spacing[0])
    paths: list[Path] = []
    for index in range(volume.shape[0]):
        ds = template.copy()
        ds.SOPInstanceUID = generate_uid()
        ds.InstanceNumber = index + 1
        position = volume.index_to_patient((index, 0, 0))
        ds.ImagePositionPatient = [_decimal(v) for v in position]
        ds.SliceLocation = _decimal(float(position @ direction[:, 0]))
        ds.PixelData = np.ascontiguousarray(stored.pixels[index]).tobytes()
        name = file_name_pattern.format(index=index, number=index + 1, sop_uid=ds.SOPInstanceUID)
        path = folder / name
        _finish(ds, transfer_syntax, path)
        paths.append(path)
    logger.info("wrote %d DICOM files to %s", len(paths), folder)
    return paths


def write_dicom_radiograph(
    volume: ImageVolume,
    path: str | Path,
    *,
    modality: str = "CR",
    series_description: str = "VividMed radiograph",
    patient_name: str = "Anonymous^",  # family name only (the caret: not the retired form)
    patient_id: str = "VIVIDMED",
    spacing_attribute: str | None = "ImagerPixelSpacing",
    transfer_syntax: str | None = None,
    series_instance_uid: str | None = None,
    study_instance_uid: str | None = None,
    patient_geometry: bool = False,
) -> Path:
    """Write a one-slice image as a radiograph (CR/DX).

    ``spacing_attribute`` is "ImagerPixelSpacing", "PixelSpacing" or None (spacing not
    written); spacing is only written when the volume's spacing is known. PatientOrientation
    (e.g. L\\F) is written when the rows and columns run along patient axes. With
    ``patient_geometry`` the image plane's position and orientation are written too (for
    images whose plane is known in patient space, such as a phantom's projection).
    """
    if not volume.is_2d:
        raise ImageWriteError(
            f"{path}: a radiograph has one slice, this volume has {volume.shape[0]}"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    modality = modality.upper()
    stored = choose_stored_values(volume.voxels, modality)
    ds = _base_dataset(
        volume,
        modality,
        series_description,
        patient_name,
        patient_id,
        study_instance_uid or generate_uid(),
        series_instance_uid or generate_uid(),
        stored,
    )
    ds.SOPInstanceUID = generate_uid()
    ds.InstanceNumber = 1
    if modality == "DX":
        ds.PresentationIntentType = "FOR PRESENTATION"
    if spacing_attribute is not None and volume.spacing_known:
        if spacing_attribute not in ("ImagerPixelSpacing", "PixelSpacing"):
            raise ImageWriteError(
                f"{path}: spacing_attribute must be ImagerPixelSpacing or PixelSpacing, "
                f"got {spacing_attribute!r}"
            )
        setattr(ds, spacing_attribute, [_decimal(volume.spacing[1]), _decimal(volume.spacing[2])])
    letters = [_axis_letter(volume.direction[:, axis]) for axis in (2, 1)]
    if all(letters):
        ds.PatientOrientation = letters
    if patient_geometry:
        orientation = [*volume.direction[:, 2].tolist(), *volume.direction[:, 1].tolist()]
        ds.ImageOrientationPatient = [_decimal(v) for v in orientation]
        ds.ImagePositionPatient = [_decimal(v) for v in volume.origin]
    ds.PixelData = np.ascontiguousarray(stored.pixels[0]).tobytes()
    _finish(ds, transfer_syntax, path)
    return path


def _axis_letter(vector: NDArray[np.floating]) -> str:
    """The DICOM letter of a direction along a patient axis (LPS: +x L, +y P, +z H); '' if oblique."""
    axis = int(np.argmax(np.abs(vector)))
    if abs(float(vector[axis])) < 0.999:
        return ""
    return "LPH"[axis] if vector[axis] > 0 else "RAF"[axis]
