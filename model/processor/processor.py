"""``VividMedImageProcessor``: an image (a ``ModelImage``) → model tensors, with the inverse."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from model.parts_config import VisionConfig
from model.processor.image_grid import ImageGrid
from model.processor.image_input import IntensityWindow, ModelImage
from model.processor.intensity import scale_intensity
from model.processor.resample import pad_to, resample_volume
from model.processor.sizing import GridPlan, plan_model_grid
from model.processor.transform import ImageTransform
from vividmed_viewer.core.errors import ModelError

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
PROCESSOR_CONFIG_NAME = "preprocessor_config.json"
TRAINING_TOKEN_BUDGET = 144
EVALUATION_TOKEN_BUDGET = 256


@dataclass
class ProcessedImage:
    """Model inputs for one image and the record needed to map outputs back."""

    pixel_values: torch.Tensor
    localization_values: torch.Tensor
    transform: ImageTransform
    num_image_tokens: int

    def to(self, device: torch.device | str, dtype: torch.dtype | None = None) -> ProcessedImage:
        """The same inputs on another device (and, optionally, floating dtype)."""
        return ProcessedImage(
            self.pixel_values.to(device=device, dtype=dtype),
            self.localization_values.to(device=device, dtype=dtype),
            self.transform,
            self.num_image_tokens,
        )


@dataclass
class VividMedImageProcessor:
    """Resize to the token budget, pad to the stride, scale intensities, CLIP-normalize.

    ``token_budget`` is the most vision tokens the language model may get (144 in training,
    256 at evaluation). ``patch_size``, ``depth_token_threshold`` and ``pool_in_plane`` must
    match the vision encoder's config.
    """

    token_budget: int = EVALUATION_TOKEN_BUDGET
    patch_size: int = 16
    depth_token_threshold: int = 4
    pool_in_plane: int = 2
    min_inplane_tokens: int = 16
    percentiles: tuple[float, float] = (0.5, 99.5)
    image_mean: tuple[float, float, float] = field(default=CLIP_MEAN)
    image_std: tuple[float, float, float] = field(default=CLIP_STD)

    def __post_init__(self) -> None:
        if self.token_budget < 1:
            raise ModelError(f"token_budget must be >= 1, got {self.token_budget}")
        self.percentiles = (float(self.percentiles[0]), float(self.percentiles[1]))
        self.image_mean = tuple(float(v) for v in self.image_mean)  # type: ignore[assignment]
        self.image_std = tuple(float(v) for v in self.image_std)  # type: ignore[assignment]

    @classmethod
    def for_vision(
        cls, config: VisionConfig, token_budget: int = EVALUATION_TOKEN_BUDGET
    ) -> VividMedImageProcessor:
        """A processor whose patch, depth threshold and pooling match a vision config."""
        return cls(
            token_budget=token_budget,
            patch_size=config.patch_size,
            depth_token_threshold=config.depth_token_threshold,
            pool_in_plane=config.pool_in_plane,
        )

    def plan(self, shape_dhw: tuple[int, int, int]) -> GridPlan:
        """The resized and padded model grid this processor picks for an image shape."""
        return plan_model_grid(
            shape_dhw,
            self.token_budget,
            self.patch_size,
            self.depth_token_threshold,
            self.pool_in_plane,
            self.min_inplane_tokens,
        )

    def preprocess(
        self, volume: ModelImage, window: IntensityWindow | None = None
    ) -> ProcessedImage:
        """Turn an image into ``pixel_values`` [1, 3, D, H, W] and ``localization_values``.

        ``window`` (anything with ``lower``/``upper``, e.g. a CT window) clips intensities;
        without it the percentile range is used.
        """
        grid = ImageGrid.of(volume)
        plan = self.plan(grid.shape)
        scaled, intensity = scale_intensity(volume, window, self.percentiles)
        resized = resample_volume(torch.from_numpy(scaled), plan.resized_shape).clamp(0.0, 1.0)
        image01 = pad_to(resized, plan.padded_shape)[None, None].contiguous()
        mean = torch.tensor(self.image_mean).reshape(1, 3, 1, 1, 1)
        std = torch.tensor(self.image_std).reshape(1, 3, 1, 1, 1)
        pixel_values = (image01.expand(1, 3, *plan.padded_shape) - mean) / std
        transform = ImageTransform(
            original=grid,
            resized_shape=plan.resized_shape,
            padded_shape=plan.padded_shape,
            intensity=intensity,
        )
        return ProcessedImage(
            pixel_values=pixel_values.contiguous(),
            localization_values=image01,
            transform=transform,
            num_image_tokens=plan.num_tokens,
        )

    __call__ = preprocess

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("percentiles", "image_mean", "image_std"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VividMedImageProcessor:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModelError(f"processor config: unknown keys {unknown}; known: {sorted(known)}")
        values = dict(data)
        for key in ("percentiles", "image_mean", "image_std"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``preprocessor_config.json`` into ``directory``."""
        path = Path(directory) / PROCESSOR_CONFIG_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_pretrained(cls, directory: str | Path, **overrides: Any) -> VividMedImageProcessor:
        """Read ``preprocessor_config.json`` from ``directory`` (defaults when it is absent)."""
        path = Path(directory) / PROCESSOR_CONFIG_NAME
        data: dict[str, Any] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise ModelError(f"{path}: not valid JSON ({error})") from error
        data.update(overrides)
        return cls.from_dict(data)
