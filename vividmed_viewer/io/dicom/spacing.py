"""Slice spacing from positions along the normal: gaps, uneven steps and duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DUPLICATE_TOLERANCE_MM = 0.01
# Gaps are filled with blank slices only when few slices are missing.
MAX_FILLED_SLICES = 3
MAX_LISTED_DUPLICATES = 3


@dataclass
class SlicePlan:
    """Where each kept frame goes in the output volume, and the slice spacing."""

    kept: list[int]  # indices into the sorted frame list
    z_index: list[int]  # output slice of each kept frame
    slice_count: int
    spacing: float
    warnings: list[str] = field(default_factory=list)
    filled: list[int] = field(default_factory=list)  # output slices left blank


def plan_slices(
    distances: list[float], names: list[str], fallback_spacing: float | None
) -> SlicePlan:
    """Lay sorted frames on a regular grid along the normal.

    Frames at the same position are dropped (the first is kept). Gaps that are a whole
    number of steps get blank slices so distances stay right; uneven steps use the mean
    step, with a warning.
    """
    warnings: list[str] = []
    kept: list[int] = []
    duplicates: list[str] = []
    for index, distance in enumerate(distances):
        if kept and abs(distance - distances[kept[-1]]) < DUPLICATE_TOLERANCE_MM:
            duplicates.append(
                f"duplicate position: {names[index]} is at the same place as "
                f"{names[kept[-1]]} ({distance:.2f} mm along the normal); left out"
            )
            continue
        kept.append(index)
    if len(duplicates) <= MAX_LISTED_DUPLICATES:
        warnings.extend(duplicates)
    else:
        warnings.append(
            f"duplicate positions: {len(duplicates)} frames share a position with another "
            f"and were left out (the series may hold several phases or echoes); first: "
            f"{duplicates[0].removeprefix('duplicate position: ')}"
        )
    if len(kept) < 2:
        spacing = fallback_spacing if fallback_spacing and fallback_spacing > 0 else 1.0
        return SlicePlan(kept, list(range(len(kept))), len(kept), spacing, warnings)
    kept_distances = np.asarray([distances[i] for i in kept])
    steps = np.diff(kept_distances)
    step = float(np.median(steps))
    tolerance = max(0.005, 0.01 * step)
    multiples = np.rint(steps / step).astype(int)
    uneven = np.abs(steps - multiples * step) > tolerance * np.maximum(multiples, 1)
    uneven |= multiples < 1
    missing_total = int(np.sum(multiples - 1))
    too_many_missing = missing_total > max(MAX_FILLED_SLICES, len(kept) // 4)
    if np.any(uneven) or too_many_missing:
        spacing = float((kept_distances[-1] - kept_distances[0]) / (len(kept) - 1))
        warnings.append(
            f"uneven slice spacing: steps from {steps.min():.3g} to {steps.max():.3g} mm "
            f"along the normal; a mean spacing of {spacing:.4g} mm is used, so distances "
            "are approximate"
        )
        return SlicePlan(kept, list(range(len(kept))), len(kept), spacing, warnings)
    z_index = [0, *np.cumsum(multiples).tolist()]
    filled: list[int] = []
    for position, multiple in enumerate(multiples):
        if multiple > 1:
            before, after = names[kept[position]], names[kept[position + 1]]
            missing = int(multiple) - 1
            warnings.append(
                f"missing slice: a gap of {steps[position]:.3g} mm between {before} and "
                f"{after} (spacing {step:.3g} mm); {missing} blank slice(s) inserted so "
                "distances stay right"
            )
            filled.extend(range(z_index[position] + 1, z_index[position + 1]))
    return SlicePlan(kept, [int(z) for z in z_index], int(z_index[-1]) + 1, step, warnings, filled)
