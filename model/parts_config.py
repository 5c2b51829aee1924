"""Configurations of the image-side parts: the vision encoder and the two localization models.

Each config is a dataclass with ``to_dict()``/``from_dict()`` so it can live inside a
checkpoint's ``config.json``. Named presets (``tiny``, ``demo``, ``small``, ``paper``) are
functions returning fresh configs; :data:`VISION_PRESETS` and :data:`LOCALIZATION_PRESETS`
list them. ``demo`` is sized for the shipped phantom model (its trained parts must fit a
checkpoint well under 25 MB); ``small`` is the ``base`` config's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

from vividmed_viewer.core.errors import ModelError

_ConfigT = TypeVar("_ConfigT", "VisionConfig", "LocalizationConfig")


def _from_dict(cls: type[_ConfigT], data: dict[str, Any]) -> _ConfigT:
    """Build a config from a dict, rejecting unknown keys with a message that names them."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ModelError(f"{cls.__name__}: unknown keys {unknown}; known keys are {sorted(known)}")
    values = dict(data)
    if "position_grid" in values:
        values["position_grid"] = tuple(int(v) for v in values["position_grid"])
    return cls(**values)


def _check_common(name: str, hidden_size: int, depth: int, num_heads: int) -> None:
    if hidden_size < 1 or depth < 1 or num_heads < 1:
        raise ModelError(
            f"{name}: hidden_size, depth and num_heads must be >= 1, "
            f"got {hidden_size}, {depth}, {num_heads}"
        )
    if hidden_size % num_heads:
        raise ModelError(
            f"{name}: hidden_size {hidden_size} is not divisible by num_heads {num_heads}"
        )


@dataclass
class VisionConfig:
    """The language branch's ViT (adaptive depth patch, learned 3D position grid, CLS token).

    ``position_grid`` is the learned position-embedding grid (depth, height, width);
    ``depth_token_threshold`` is ``t_d`` of the depth-patch rule; ``pool_in_plane`` is the
    in-plane max-pool after the ViT.
    """

    hidden_size: int
    depth: int
    num_heads: int
    mlp_ratio: float = 4.0
    patch_size: int = 16
    position_grid: tuple[int, int, int] = (8, 32, 32)
    depth_token_threshold: int = 4
    in_channels: int = 3
    pool_in_plane: int = 2

    def __post_init__(self) -> None:
        _check_common("VisionConfig", self.hidden_size, self.depth, self.num_heads)
        self.position_grid = tuple(int(v) for v in self.position_grid)  # type: ignore[assignment]
        if len(self.position_grid) != 3 or min(self.position_grid) < 1:
            raise ModelError(
                f"VisionConfig: position_grid must be 3 sizes >= 1, got {self.position_grid}"
            )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["position_grid"] = list(self.position_grid)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VisionConfig:
        return _from_dict(cls, data)


@dataclass
class LocalizationConfig:
    """One SAM/SegVol-style localization model (semantic masks or instance boxes).

    ``hidden_size``/``depth``/``num_heads`` size its own ViT; the two-way decoder works at
    ``hidden_size`` width with ``decoder_depth`` layers of ``decoder_heads`` heads and an MLP
    of ``decoder_mlp_dim``. ``prompt_dim`` is ``d_loc``, the size of a phrase prompt.
    """

    hidden_size: int
    depth: int
    num_heads: int
    prompt_dim: int
    decoder_depth: int = 2
    decoder_heads: int = 8
    decoder_mlp_dim: int = 2048
    num_instance_queries: int = 6
    in_channels: int = 1
    patch_size: int = 16
    position_grid: tuple[int, int, int] = (8, 32, 32)
    depth_token_threshold: int = 4
    mlp_ratio: float = 4.0

    def __post_init__(self) -> None:
        _check_common("LocalizationConfig", self.hidden_size, self.depth, self.num_heads)
        self.position_grid = tuple(int(v) for v in self.position_grid)  # type: ignore[assignment]
        if self.hidden_size % 8:
            raise ModelError(
                f"LocalizationConfig: hidden_size must be a multiple of 8 (upsampling "
                f"divides it by 8), got {self.hidden_size}"
            )
        if (self.hidden_size // 2) % self.decoder_heads:
            raise ModelError(
                f"LocalizationConfig: hidden_size/2 = {self.hidden_size // 2} is not divisible "
                f"by decoder_heads {self.decoder_heads}"
            )
        if self.prompt_dim < 1 or self.num_instance_queries < 1 or self.decoder_depth < 1:
            raise ModelError(
                "LocalizationConfig: prompt_dim, num_instance_queries and decoder_depth must be >= 1"
            )

    def vision_config(self) -> VisionConfig:
        """The config of this model's own ViT image encoder."""
        return VisionConfig(
            hidden_size=self.hidden_size,
            depth=self.depth,
            num_heads=self.num_heads,
            mlp_ratio=self.mlp_ratio,
            patch_size=self.patch_size,
            position_grid=self.position_grid,
            depth_token_threshold=self.depth_token_threshold,
            in_channels=self.in_channels,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["position_grid"] = list(self.position_grid)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LocalizationConfig:
        return _from_dict(cls, data)


def tiny_vision_config() -> VisionConfig:
    """Random-weight test size: forward well under a second on CPU."""
    return VisionConfig(hidden_size=32, depth=2, num_heads=2, position_grid=(4, 8, 8))


def demo_vision_config() -> VisionConfig:
    """The shipped default's ViT: 192-d × 4 layers, ~4.3 M parameters.

    Its position grid (4, 16, 16) is the demo's largest token grid (64 tokens after the
    2×2 pool); other grids are resampled from it.
    """
    return VisionConfig(hidden_size=192, depth=4, num_heads=3, position_grid=(4, 16, 16))


def small_vision_config() -> VisionConfig:
    """The ``base`` config's ViT: 384-d × 6 layers, ~18.5 M parameters."""
    return VisionConfig(hidden_size=384, depth=6, num_heads=6)


def paper_vision_config() -> VisionConfig:
    """EVA2-CLIP-E shapes (1792-d × 63 layers, 16 heads, MLP 15360)."""
    return VisionConfig(hidden_size=1792, depth=63, num_heads=16, mlp_ratio=15360 / 1792)


def tiny_localization_config(prompt_dim: int = 32) -> LocalizationConfig:
    """Random-weight test size."""
    return LocalizationConfig(
        hidden_size=32,
        depth=1,
        num_heads=2,
        prompt_dim=prompt_dim,
        decoder_heads=2,
        decoder_mlp_dim=64,
        position_grid=(4, 8, 8),
    )


def demo_localization_config(prompt_dim: int = 128) -> LocalizationConfig:
    """The shipped default's localization model: 128-d ViT × 3 layers, ~1.9 M parameters."""
    return LocalizationConfig(
        hidden_size=128,
        depth=3,
        num_heads=4,
        prompt_dim=prompt_dim,
        decoder_mlp_dim=512,
        position_grid=(4, 16, 16),
    )


def small_localization_config(prompt_dim: int = 256) -> LocalizationConfig:
    """The ``base`` config's localization model: 256-d ViT × 4 layers, ~8.8 M parameters."""
    return LocalizationConfig(
        hidden_size=256, depth=4, num_heads=8, prompt_dim=prompt_dim, decoder_mlp_dim=1024
    )


def paper_localization_config(prompt_dim: int = 768) -> LocalizationConfig:
    """ViT-B shapes (768-d × 12 layers, 12 heads), SAM-like decoder."""
    return LocalizationConfig(
        hidden_size=768, depth=12, num_heads=12, prompt_dim=prompt_dim, decoder_mlp_dim=2048
    )


VISION_PRESETS: dict[str, Callable[[], VisionConfig]] = {
    "tiny": tiny_vision_config,
    "demo": demo_vision_config,
    "small": small_vision_config,
    "paper": paper_vision_config,
}
LOCALIZATION_PRESETS: dict[str, Callable[..., LocalizationConfig]] = {
    "tiny": tiny_localization_config,
    "demo": demo_localization_config,
    "small": small_localization_config,
    "paper": paper_localization_config,
}


def vision_preset(name: str) -> VisionConfig:
    """A named vision preset; unknown names raise with the list of known ones."""
    if name not in VISION_PRESETS:
        raise ModelError(f"unknown vision preset {name!r}; known: {sorted(VISION_PRESETS)}")
    return VISION_PRESETS[name]()


def localization_preset(name: str, prompt_dim: int | None = None) -> LocalizationConfig:
    """A named localization preset (optionally with another prompt size ``d_loc``)."""
    if name not in LOCALIZATION_PRESETS:
        raise ModelError(
            f"unknown localization preset {name!r}; known: {sorted(LOCALIZATION_PRESETS)}"
        )
    factory = LOCALIZATION_PRESETS[name]
    return factory() if prompt_dim is None else factory(prompt_dim)
