"""The worked real example: Colin27 T1 + AAL atlas (Debian ``mricron-data``) as a labelled case.

AAL region names map onto the taxonomy's brain targets by their prefixes (frontal,
temporal, parietal, occipital lobes, cerebellum, thalamus, hippocampus); unmatched
regions (insula, cingulum, basal ganglia…) are left out.
"""

from __future__ import annotations

from pathlib import Path

from training.data.label_map import labelled_case_from_label_map
from training.data.samples import LabelledCase
from vividmed_viewer.core import ImageLoadError
from vividmed_viewer.io import load_nifti

MRICRON_TEMPLATES = Path("/usr/share/mricron/templates")
AAL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("Frontal_", "frontal lobe"),
    ("Precentral", "frontal lobe"),
    ("Supp_Motor", "frontal lobe"),
    ("Rectus", "frontal lobe"),
    ("Temporal_", "temporal lobe"),
    ("Heschl", "temporal lobe"),
    ("Parietal_", "parietal lobe"),
    ("Postcentral", "parietal lobe"),
    ("SupraMarginal", "parietal lobe"),
    ("Angular", "parietal lobe"),
    ("Precuneus", "parietal lobe"),
    ("Occipital_", "occipital lobe"),
    ("Calcarine", "occipital lobe"),
    ("Cuneus", "occipital lobe"),
    ("Lingual", "occipital lobe"),
    ("Cerebelum_", "cerebellum"),
    ("Vermis_", "cerebellum"),
    ("Thalamus", "thalamus"),
    ("Hippocampus", "hippocampus"),
)


def aal_target(region: str) -> str | None:
    """The taxonomy target of an AAL region name, or None."""
    for prefix, target in AAL_PREFIXES:
        if region.startswith(prefix):
            return target
    return None


def read_aal_names(path: Path) -> dict[int, str]:
    """AAL label file lines "1 Precentral_L 2001" → {1: "Precentral_L"}."""
    names = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            names[int(parts[0])] = parts[1]
    return names


def colin27_aal_case(templates: Path = MRICRON_TEMPLATES) -> LabelledCase:
    """Colin27 (ch2.nii.gz, MR T1) with AAL regions mapped to taxonomy brain targets."""
    image_path, atlas_path = templates / "ch2.nii.gz", templates / "aal.nii.gz"
    names_path = templates / "aal.nii.txt"
    for path in (image_path, atlas_path, names_path):
        if not path.exists():
            raise ImageLoadError(
                path,
                "not found: install the Debian package mricron-data (apt-get install mricron-data)",
            )
    image = load_nifti(image_path, modality="MR")
    atlas = load_nifti(atlas_path)
    names = {value: aal_target(region) for value, region in read_aal_names(names_path).items()}
    return labelled_case_from_label_map(
        image, atlas.voxels.astype("uint8"), names, source="colin27-aal"
    )
