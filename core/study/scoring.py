"""Metrics for a study: which are installed, built once per worker, and scored on audio converted for each."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..errors import CodecregError, UnscorableError
from ..registry.loading import get_registry
from ..registry.specs import MetricSpec
from .results import MetricInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Metric:
    """A built metric: ``function(reference, estimate, rate)``, or ``function(audio, rate)`` without a reference."""

    info: MetricInfo
    function: Callable[..., float]
    spec: MetricSpec | None = None  # None: takes any rate and the channels as they are


#: the name that asks for every installed metric, the costly ones included
ALL_METRICS = "all"


def choose_metrics(names: Sequence[str] | None = None, skipped: list[str] | None = None) -> list[MetricSpec]:
    """The specs of the named metrics, without building them: ``None``, the installed metrics on by
    default (``MetricSpec.default``); ``["all"]``, every installed one.

    Unnamed metrics missing a dependency are skipped: logged, and their install
    hint appended to ``skipped``. A named one that is missing raises
    ``MissingDependencyError`` with the install command.
    """
    registry = get_registry()
    if names is None or list(names) == [ALL_METRICS]:
        specs = []
        for spec in registry.metrics.values():
            if names is None and not spec.default:
                continue
            if spec.missing_requirements():
                message = f"metric {spec.name} skipped: {spec.status()}"
                log.warning("%s", message)
                if skipped is not None:
                    skipped.append(message)
            else:
                specs.append(spec)
    else:
        specs = [registry.metric(name) for name in names]
    if not specs:
        raise CodecregError("no metric is installed: install the first-party metrics with `pip install codecreg` "
                            "or name a metric plugin's metric")
    return specs


def load_metrics(names: Sequence[str] | None = None, skipped: list[str] | None = None) -> list[Metric]:
    """Build the named metrics, the default ones, or every installed one (``choose_metrics`` says which)."""
    return [Metric(metric_info(spec), spec.load_factory()(), spec) for spec in choose_metrics(names, skipped)]


def build_metrics(names: Sequence[str]) -> list[Metric]:
    """Build the named metrics (as a worker does, after the study chose them)."""
    registry = get_registry()
    return [Metric(metric_info(spec), spec.load_factory()(), spec) for spec in map(registry.metric, names)]


def metric_info(spec: MetricSpec) -> MetricInfo:
    return MetricInfo(spec.name, spec.unit, spec.higher_is_better, needs_reference=spec.needs_reference,
                      value_range=spec.value_range, sample_rates=spec.sample_rates, channel_mode=spec.channel_mode)


def metric_audio(metric: Metric, audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """``audio [C, T]`` as ``metric`` takes it, and its rate: ``codecreg.convert_audio`` to the metric's rate and channels."""
    from .. import convert_audio

    rate = metric.spec.scoring_rate(sample_rate) if metric.spec is not None else int(sample_rate)
    channels = 1 if metric.info.channel_mode == "mono" else audio.shape[0]
    return np.ascontiguousarray(convert_audio(audio, sample_rate, rate, channels)), rate


def score(metric: Metric, reference: np.ndarray | None, estimate: np.ndarray, sample_rate: int) -> float:
    """``metric`` on ``estimate`` (and, if it needs one, the equally long ``reference``), both ``[C, T]``.

    The audio is converted for the metric first (``metric_audio``); a
    ``per_channel`` metric scores each channel and gives their mean. Raises
    ``UnscorableError`` (with the reason) for an input the metric cannot score.
    """
    if estimate.shape[-1] == 0:
        raise UnscorableError("no samples are left after delay alignment")
    converted, rate = metric_audio(metric, estimate, sample_rate)
    if metric.info.needs_reference:
        if reference is None:
            raise ValueError(f"metric {metric.info.name} needs a reference")
        converted_reference, _ = metric_audio(metric, reference, sample_rate)

        def call(channels: slice) -> float:
            return metric.function(converted_reference[channels], converted[channels], rate)
    else:
        def call(channels: slice) -> float:
            return metric.function(converted[channels], rate)
    if metric.info.channel_mode == "per_channel":
        return float(np.mean([float(call(slice(c, c + 1))) for c in range(converted.shape[0])]))
    return float(call(slice(None)))


def score_or_reason(metric: Metric, reference: np.ndarray | None, estimate: np.ndarray, sample_rate: int,
                    where: str, warnings: list[str], unscored: list[str], column: str = "") -> float:
    """The score, or NaN with the reason in ``unscored`` (an input it cannot score) or in ``warnings`` (a failure)."""
    name = metric.info.input_column if column == "input" else metric.info.name
    try:
        return score(metric, reference, estimate, sample_rate)
    except UnscorableError as error:  # expected: silence, too short; the study goes on
        unscored.append(f"{name}: {error}")
    except Exception as error:  # a metric plugin's failure costs its column, not the study
        warnings.append(f"metric {metric.info.name} failed for {where}: {type(error).__name__}: {error}")
        unscored.append(f"{name}: failed: {type(error).__name__}: {error}")
    return float("nan")
