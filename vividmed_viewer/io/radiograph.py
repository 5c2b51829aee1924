"""PNG/JPEG radiographs (Pillow): 8- or 16-bit grayscale, colour converted to gray."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from vividmed_viewer.core.errors import RadiographError
from vividmed_viewer.core.image_volume import ImageVolume, SpacingSource, VolumeMetadata
from vividmed_viewer.io.errors import ImageNotFoundError

GRAY_MODES = frozenset({"L", "I;16", "I;16B", "I;16L", "I", "F"})


def load_radiograph(path: str | Path, modality: str = "OT") -> ImageVolume:
    """One-slice volume from a PNG/JPEG; spacing unknown (1 mm), modality "OT" unless told."""
    path = Path(path)
    if not path.exists():
        raise ImageNotFoundError(path, "no such file")
    warnings: list[str] = []
    try:
        with Image.open(path) as image:
            image.load()
            mode = image.mode
            if mode in GRAY_MODES:
                pixels = np.asarray(image)
            else:
                warnings.append(f"colour image ({mode}) converted to grayscale")
                pixels = np.asarray(image.convert("L"))
    except UnidentifiedImageError as error:
        raise RadiographError(path, "not a PNG or JPEG image Pillow can read") from error
    except (OSError, ValueError) as error:
        raise RadiographError(path, f"the image is damaged or truncated ({error})") from error
    if pixels.ndim != 2:
        raise RadiographError(path, f"expected a 2D image, got shape {pixels.shape}")
    if pixels.dtype.byteorder == ">":
        pixels = pixels.astype(pixels.dtype.newbyteorder("="))
    if mode == "I" and pixels.size and pixels.min() >= 0 and pixels.max() <= 65535:
        pixels = pixels.astype(np.uint16)
    metadata = VolumeMetadata(
        series_description=path.stem,
        source_paths=[str(path)],
        spacing_source=SpacingSource.UNKNOWN,
    )
    return ImageVolume(
        voxels=pixels[None],
        modality=modality,
        spacing_known=False,
        metadata=metadata,
        warnings=warnings,
    )
