"""Random anatomy of one phantom: body size, lung extent, heart, airway and spine positions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.synthesis.phantom.grid import FloatArray, PhantomGrid, random_wobble


@dataclass(frozen=True)
class ChestAnatomy:
    """Sampled sizes and positions (mm, phantom frame: x left, y posterior, z up)."""

    body_half_width: float
    body_half_depth: float
    fat_thickness: float
    body_wobble: FloatArray
    lung_apex_z: float
    right_base_z: float
    left_base_z: float
    dome_height: float
    mediastinum_half_width: float
    heart_center: FloatArray
    heart_radii: FloatArray
    heart_rotation_deg: float
    heart_wobble: FloatArray
    carina_z: float
    trachea_y: float
    spine_y: float
    vertebra_pitch: float
    aorta_radius: float
    fissure_tilt: float
    cardiomegaly_scale: float = 1.0

    @property
    def cavity_half_width(self) -> float:
        return self.body_half_width - self.fat_thickness - 18.0

    @property
    def cavity_half_depth(self) -> float:
        return self.body_half_depth - self.fat_thickness - 18.0

    @property
    def rib_half_width(self) -> float:
        return self.body_half_width - self.fat_thickness - 9.0

    @property
    def rib_half_depth(self) -> float:
        return self.body_half_depth - self.fat_thickness - 9.0

    def base_z(self, side: str) -> float:
        return self.right_base_z if side == "right" else self.left_base_z

    def lung_center_x(self, side: str) -> float:
        """x of a lung's centre: halfway between the mediastinum and the lateral wall."""
        centre = (self.mediastinum_half_width + self.cavity_half_width) / 2.0
        return -centre if side == "right" else centre

    @property
    def lung_half_width(self) -> float:
        return (self.cavity_half_width - self.mediastinum_half_width) / 2.0


def sample_anatomy(rng: np.random.Generator, grid: PhantomGrid, cardiomegaly: bool) -> ChestAnatomy:
    """Draw one chest's anatomy fitting the grid (the thorax fills about 85 % of the width)."""
    field_width = grid.shape[2] * grid.spacing[2]
    half_width = float(rng.uniform(0.40, 0.45) * field_width)
    half_depth = float(half_width * rng.uniform(0.62, 0.72))
    fat = float(rng.uniform(8.0, 20.0))
    height = grid.height_mm
    apex = height - float(rng.uniform(12.0, 25.0))
    right_base = float(rng.uniform(0.12, 0.20) * height)
    left_base = right_base - float(rng.uniform(4.0, 12.0))
    dome = float(rng.uniform(25.0, 38.0))
    cavity_width = half_width - fat - 18.0
    cavity_depth = half_depth - fat - 18.0
    scale = float(rng.uniform(1.4, 1.55)) if cardiomegaly else 1.0
    heart_radii = np.array(
        [
            cavity_width * rng.uniform(0.45, 0.50),
            cavity_depth * rng.uniform(0.48, 0.55),
            rng.uniform(48.0, 56.0),
        ]
    )
    heart_radii[:2] *= scale
    heart_radii[2] *= 1.0 + (scale - 1.0) * 0.4
    heart_center = np.array(
        [
            cavity_width * rng.uniform(0.10, 0.16) * scale,
            -cavity_depth * rng.uniform(0.22, 0.30),
            left_base + dome + heart_radii[2] * 0.55,
        ]
    )
    carina = float(heart_center[2] + heart_radii[2] + rng.uniform(10.0, 25.0))
    return ChestAnatomy(
        body_half_width=half_width,
        body_half_depth=half_depth,
        fat_thickness=fat,
        body_wobble=random_wobble(rng, 0.04),
        lung_apex_z=apex,
        right_base_z=right_base,
        left_base_z=left_base,
        dome_height=dome,
        mediastinum_half_width=float(rng.uniform(16.0, 24.0)),
        heart_center=heart_center,
        heart_radii=heart_radii,
        heart_rotation_deg=float(rng.uniform(20.0, 40.0)),
        heart_wobble=random_wobble(rng, 0.06),
        carina_z=min(carina, apex - 60.0),
        trachea_y=float(cavity_depth * rng.uniform(0.0, 0.12)),
        spine_y=float(half_depth - rng.uniform(52.0, 62.0)),
        vertebra_pitch=float(height / rng.uniform(12.0, 13.5)),
        aorta_radius=float(rng.uniform(12.0, 15.5)),
        fissure_tilt=float(rng.uniform(-0.1, 0.1)),
        cardiomegaly_scale=scale,
    )
