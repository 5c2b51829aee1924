"""Tissue classes of the phantom's label map, their HU, and the taxonomy targets they form."""

from __future__ import annotations

from enum import IntEnum


class Tissue(IntEnum):
    """Label values painted into the phantom (order of painting is set by the builder)."""

    OUTSIDE = 0
    FAT = 1
    MUSCLE = 2
    RIGHT_UPPER_LOBE = 3
    RIGHT_MIDDLE_LOBE = 4
    RIGHT_LOWER_LOBE = 5
    LEFT_UPPER_LOBE = 6
    LEFT_LOWER_LOBE = 7
    HEART = 8
    AORTA = 9
    PULMONARY_ARTERY = 10
    TRACHEA_WALL = 11
    TRACHEA_LUMEN = 12
    BRONCHUS_WALL = 13
    BRONCHUS_LUMEN = 14
    ESOPHAGUS = 15
    VERTEBRA_CERVICAL = 16
    VERTEBRA_THORACIC = 17
    VERTEBRA_LUMBAR = 18
    SPINAL_CANAL = 19
    DISC = 20
    RIB = 21
    LEFT_CLAVICLE = 22
    RIGHT_CLAVICLE = 23
    STERNUM = 24
    LEFT_SCAPULA = 25
    RIGHT_SCAPULA = 26
    LIVER = 27
    SPLEEN = 28
    STOMACH = 29
    STOMACH_AIR = 30
    DIAPHRAGM = 31
    NODULE = 40
    EFFUSION = 41
    PNEUMOTHORAX = 42
    CONSOLIDATION = 43


# Mean HU and noise-free spread (std of a smooth per-case offset) of each tissue.
TISSUE_HU: dict[Tissue, float] = {
    Tissue.OUTSIDE: -1000.0,
    Tissue.FAT: -100.0,
    Tissue.MUSCLE: 45.0,
    Tissue.RIGHT_UPPER_LOBE: -860.0,
    Tissue.RIGHT_MIDDLE_LOBE: -850.0,
    Tissue.RIGHT_LOWER_LOBE: -830.0,
    Tissue.LEFT_UPPER_LOBE: -860.0,
    Tissue.LEFT_LOWER_LOBE: -830.0,
    Tissue.HEART: 45.0,
    Tissue.AORTA: 50.0,
    Tissue.PULMONARY_ARTERY: 48.0,
    Tissue.TRACHEA_WALL: 60.0,
    Tissue.TRACHEA_LUMEN: -1000.0,
    Tissue.BRONCHUS_WALL: 40.0,
    Tissue.BRONCHUS_LUMEN: -990.0,
    Tissue.ESOPHAGUS: 40.0,
    Tissue.VERTEBRA_CERVICAL: 300.0,
    Tissue.VERTEBRA_THORACIC: 300.0,
    Tissue.VERTEBRA_LUMBAR: 300.0,
    Tissue.SPINAL_CANAL: 25.0,
    Tissue.DISC: 85.0,
    Tissue.RIB: 650.0,
    Tissue.LEFT_CLAVICLE: 700.0,
    Tissue.RIGHT_CLAVICLE: 700.0,
    Tissue.STERNUM: 500.0,
    Tissue.LEFT_SCAPULA: 600.0,
    Tissue.RIGHT_SCAPULA: 600.0,
    Tissue.LIVER: 60.0,
    Tissue.SPLEEN: 48.0,
    Tissue.STOMACH: 30.0,
    Tissue.STOMACH_AIR: -1000.0,
    Tissue.DIAPHRAGM: 50.0,
    Tissue.NODULE: 35.0,
    Tissue.EFFUSION: 12.0,
    Tissue.PNEUMOTHORAX: -1000.0,
    Tissue.CONSOLIDATION: 30.0,
}

BONE_TISSUES = frozenset(
    {
        Tissue.VERTEBRA_CERVICAL,
        Tissue.VERTEBRA_THORACIC,
        Tissue.VERTEBRA_LUMBAR,
        Tissue.RIB,
        Tissue.LEFT_CLAVICLE,
        Tissue.RIGHT_CLAVICLE,
        Tissue.STERNUM,
        Tissue.LEFT_SCAPULA,
        Tissue.RIGHT_SCAPULA,
    }
)
LUNG_TISSUES = frozenset(
    {
        Tissue.RIGHT_UPPER_LOBE,
        Tissue.RIGHT_MIDDLE_LOBE,
        Tissue.RIGHT_LOWER_LOBE,
        Tissue.LEFT_UPPER_LOBE,
        Tissue.LEFT_LOWER_LOBE,
    }
)

# Anatomy targets (taxonomy names) → the tissues whose union is the target's mask.
ANATOMY_TARGET_TISSUES: dict[str, tuple[Tissue, ...]] = {
    "right upper lobe": (Tissue.RIGHT_UPPER_LOBE,),
    "right middle lobe": (Tissue.RIGHT_MIDDLE_LOBE,),
    "right lower lobe": (Tissue.RIGHT_LOWER_LOBE,),
    "left upper lobe": (Tissue.LEFT_UPPER_LOBE,),
    "left lower lobe": (Tissue.LEFT_LOWER_LOBE,),
    "right lung": (Tissue.RIGHT_UPPER_LOBE, Tissue.RIGHT_MIDDLE_LOBE, Tissue.RIGHT_LOWER_LOBE),
    "left lung": (Tissue.LEFT_UPPER_LOBE, Tissue.LEFT_LOWER_LOBE),
    "lungs": tuple(sorted(LUNG_TISSUES)),
    "heart": (Tissue.HEART,),
    "aorta": (Tissue.AORTA,),
    "pulmonary artery": (Tissue.PULMONARY_ARTERY,),
    "trachea": (Tissue.TRACHEA_WALL, Tissue.TRACHEA_LUMEN),
    "main bronchi": (Tissue.BRONCHUS_WALL, Tissue.BRONCHUS_LUMEN),
    "esophagus": (Tissue.ESOPHAGUS,),
    "cervical vertebrae": (Tissue.VERTEBRA_CERVICAL,),
    "thoracic vertebrae": (Tissue.VERTEBRA_THORACIC,),
    "lumbar vertebrae": (Tissue.VERTEBRA_LUMBAR,),
    "spine": (Tissue.VERTEBRA_CERVICAL, Tissue.VERTEBRA_THORACIC, Tissue.VERTEBRA_LUMBAR),
    "ribs": (Tissue.RIB,),
    "left clavicle": (Tissue.LEFT_CLAVICLE,),
    "right clavicle": (Tissue.RIGHT_CLAVICLE,),
    "clavicles": (Tissue.LEFT_CLAVICLE, Tissue.RIGHT_CLAVICLE),
    "left scapula": (Tissue.LEFT_SCAPULA,),
    "right scapula": (Tissue.RIGHT_SCAPULA,),
    "liver": (Tissue.LIVER,),
    "spleen": (Tissue.SPLEEN,),
    "stomach": (Tissue.STOMACH, Tissue.STOMACH_AIR),
    "diaphragm": (Tissue.DIAPHRAGM,),
}
# "body" is every tissue except outside air; parenchymal findings stay inside lung masks.
PARENCHYMAL_FINDINGS = (Tissue.NODULE, Tissue.CONSOLIDATION)
