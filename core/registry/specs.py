"""Static descriptions of what plugins register.

A spec is plain data plus the import string of the code that builds the thing,
so listing codecs reads specs and never imports torch or a model library.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import math
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import MissingDependencyError


@dataclass(frozen=True)
class Spec:
    """What every registered thing has: a name and a lazily imported factory."""

    name: str
    factory: str  # "package.module:callable"
    description: str = ""
    requires: tuple[str, ...] = ()  # importable modules the factory needs
    install: str = ""  # the command that installs them
    options: tuple[str, ...] = ()  # option keys the factory accepts from a name
    plugin: str = ""  # filled in by the registry
    distribution: str = ""  # filled in by the registry

    kind = "spec"

    def missing_requirements(self) -> list[str]:
        """Modules this spec needs that cannot be imported (checked without importing them)."""
        return [module for module in self.requires if not _module_available(module)]

    def status(self) -> str:
        missing = self.missing_requirements()
        if not missing:
            return "ready"
        return f"missing {', '.join(missing)}: {self.install}" if self.install else f"missing {', '.join(missing)}"

    def load_factory(self) -> Callable[..., Any]:
        """Import the factory, after saying exactly what to install if it cannot work."""
        missing = self.missing_requirements()
        if missing:
            hint = f" Install it with: {self.install}" if self.install else ""
            raise MissingDependencyError(
                f"{self.kind} {self.name!r} (plugin {self.plugin or '?'}) needs "
                f"{', '.join(missing)}, which is not installed.{hint}"
            )
        module_name, _, attribute = self.factory.partition(":")
        module = importlib.import_module(module_name)
        return getattr(module, attribute)

    def with_origin(self, plugin: str, distribution: str) -> "Spec":
        return dataclasses.replace(self, plugin=plugin, distribution=distribution)

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = self.status()
        return data


@dataclass(frozen=True)
class CodecSpec(Spec):
    """A named codec and the metadata a user compares codecs by, known before building it."""

    sample_rate: int = 0
    channels: int = 1
    frame_rate: float = 0.0  # frames per second; DAC 44.1 kHz is 86.13
    cardinality: int = 0  # entries per codebook
    num_codebooks: int = 0  # codebooks used by default
    total_codebooks: int = 0  # codebooks the model has
    bandwidths: tuple[float, ...] = ()  # kbps settings the model was trained for
    weights: str = ""  # where the weights come from
    aliases: tuple[str, ...] = ()
    weights_check: str = ""  # "module:function", a light (codec name) -> bool: are its weights here?
    notes: str = ""  # what a user must know about the codes beyond the numbers (Mimi: codebook 0 is semantic)
    #: "module:recipe", a (name, size) -> codecreg.testing.TestWeights: seeded weights for tests (docs/plugins.md)
    test_weights: str = ""
    #: multi-rate codes (docs/plugins.md): each level's frames per second, coarsest first (``frame_rate``
    #: is the first, ``total_codebooks`` the packed rows); empty: one frame rate
    level_frame_rates: tuple[float, ...] = ()
    level_codebooks: tuple[int, ...] = ()  # codebooks per level; empty: one each
    #: False for an encode-only tokenizer: decode, ``codecreg decode`` and compare refuse it before any work
    has_decoder: bool = True

    kind = "codec"

    def code_levels(self) -> Any | None:
        """The declared ``codecreg.CodeLevels``, or None for a single-rate codec."""
        if not self.level_frame_rates:
            return None
        from ..codec.levels import CodeLevels

        return CodeLevels(self.level_frame_rates, self.level_codebooks)

    def weights_present(self) -> bool | None:
        """Whether this machine holds the weights (None: the plugin cannot tell without building).

        The check must look at files only, never the network or a model library: listing runs it.
        """
        if not self.weights_check:
            return None
        module_name, _, attribute = self.weights_check.partition(":")
        return bool(getattr(importlib.import_module(module_name), attribute)(self.name))

    def status(self) -> str:
        status = super().status()
        if status != "ready":
            return status
        try:
            present = self.weights_present()
        except Exception as error:  # a broken check must not break listing
            return f"ready? (weights check {self.weights_check} failed: {type(error).__name__}: {error})"
        return "ready, weights not downloaded yet" if present is False else status

    def bitrate(self, num_codebooks: int | None = None) -> float:
        """kbps at ``num_codebooks`` (default: the default number): K x log2(cardinality) x frame rate."""
        k = self.num_codebooks if num_codebooks is None else num_codebooks
        return bitrate_kbps(k, self.cardinality, self.frame_rate)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["bitrate_kbps"] = round(self.bitrate(), 4)
        levels = self.code_levels()
        if levels is not None:
            data["levels"] = levels.describe()
        return data


@dataclass(frozen=True)
class SourceSpec(Spec):
    """A way to load codecs from outside the registry: a scheme (``hf:``) or a checkpoint file format.

    ``factory(target, revision=None, device="cpu", **options)`` builds the codec.
    ``claims_path`` names a light function ``(path) -> bool`` that recognizes the
    format of a local checkpoint without importing torch. When several sources claim
    one path, the lowest ``priority`` loads it (as for writers); two claiming it at the
    same lowest priority is an error naming both.
    """

    claims_path: str = ""
    priority: int = 100  # lower wins when several sources claim one path

    kind = "source"

    def claims(self, path: str) -> bool:
        if not self.claims_path:
            return False
        module_name, _, attribute = self.claims_path.partition(":")
        return bool(getattr(importlib.import_module(module_name), attribute)(path))


@dataclass(frozen=True)
class WriterSpec(Spec):
    """An audio writer backend and the formats it writes."""

    formats: tuple[str, ...] = ()
    priority: int = 100  # lower is tried first when no backend is named

    kind = "writer"


#: how a metric takes channels: as they are ``[C, T]``, mixed down to ``[1, T]``, or one ``[1, T]`` at a time
METRIC_CHANNEL_MODES = ("all", "mono", "per_channel")


@dataclass(frozen=True)
class MetricSpec(Spec):
    """An audio quality metric comparing a reconstruction with its reference (docs/plugins.md, docs/studies.md).

    The study converts the delay-aligned audio to what the metric declares
    (``sample_rates``, ``channel_mode``) with ``codecreg.convert_audio`` before
    calling it; a metric without a reference (``needs_reference=False``) scores
    the reconstruction and the input on their own.
    """

    higher_is_better: bool = True
    unit: str = ""
    #: rates the metric scores at; the codec's rate if listed, else the first; empty: any rate
    sample_rates: tuple[int, ...] = ()
    channel_mode: str = "all"  # one of METRIC_CHANNEL_MODES
    needs_reference: bool = True  # False: factory's metric is ``(audio [C, T], sample_rate) -> float``
    value_range: tuple[float, float] | None = None  # (lowest, highest) the metric can give; None: unbounded
    #: scored when a study names no metrics; False for a metric that costs more than coding does
    #: (ViSQOL, DNSMOS: docs/studies.md), scored when named or with ``all``
    default: bool = True

    kind = "metric"

    def __post_init__(self) -> None:
        if self.channel_mode not in METRIC_CHANNEL_MODES:
            raise ValueError(f"metric {self.name!r}: channel_mode must be one of {', '.join(METRIC_CHANNEL_MODES)}, "
                             f"got {self.channel_mode!r}")
        if any(int(rate) != rate or rate <= 0 for rate in self.sample_rates):
            raise ValueError(f"metric {self.name!r}: sample_rates must be positive integers, got {self.sample_rates}")
        if self.value_range is not None and not (len(self.value_range) == 2
                                                 and self.value_range[0] < self.value_range[1]):
            raise ValueError(f"metric {self.name!r}: value_range must be (lowest, highest), got {self.value_range}")

    def scoring_rate(self, sample_rate: int) -> int:
        """The rate this metric scores audio at that arrives at ``sample_rate``."""
        if not self.sample_rates or sample_rate in self.sample_rates:
            return int(sample_rate)
        return int(self.sample_rates[0])


def bitrate_kbps(num_codebooks: int, cardinality: int, frame_rate: float) -> float:
    if cardinality < 2:
        return 0.0
    return num_codebooks * math.log2(cardinality) * frame_rate / 1000.0


def codebooks_for_bandwidth(bandwidth_kbps: float, cardinality: int, frame_rate: float) -> int:
    """The most codebooks that fit in a bandwidth, as the encodec package counts them.

    A small tolerance absorbs frame rates like 86.13 Hz that make exact settings
    land a hair under an integer.
    """
    bits_per_codebook = math.log2(cardinality) * frame_rate
    return int(math.floor(1000.0 * bandwidth_kbps / bits_per_codebook + 1e-6))


def _module_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


__all__ = [
    "Spec", "CodecSpec", "SourceSpec", "WriterSpec", "MetricSpec", "METRIC_CHANNEL_MODES",
    "bitrate_kbps", "codebooks_for_bandwidth",
]
