"""``codecreg.compare``: which codec, at which bitrate, is best and fastest on these inputs.

Every codec setting encodes and decodes every input (converted to the codec's
rate and channels); the reconstruction is delay-aligned to the converted input
and scored by every metric plugin, converted again to the rate and channels
each metric declares (``MetricSpec.sample_rates``, ``channel_mode``). Codes are counted for codebook usage;
encoding and decoding are timed. Everything but the timings is deterministic:
torch is seeded before each encode and decode.

This module holds the API, the names and the metrics' scoring; the work on
one input is ``study_task`` (it runs in the engines' workers), the journaled
job around it ``study_job``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..api import codec_info, get_registry
from ..errors import CodecregError, MissingDependencyError, UnscorableError
from ..registry.names import CODEC_OPTION_ALIASES, CORE_CODEC_OPTIONS, format_name, parse_name
from ..registry.specs import MetricSpec
from .results import ComparisonTable, MetricInfo

DEFAULT_MAX_DELAY_MS = 50.0
_OPTION_START = re.compile(r"^[a-z][a-z0-9_]*=")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Metric:
    """A built metric: ``function(reference, estimate, rate)``, or ``function(audio, rate)`` without a reference."""

    info: MetricInfo
    function: Callable[..., float]
    spec: MetricSpec | None = None  # None: takes any rate and the channels as they are


def compare(codecs: str | Sequence[str], inputs: Iterable[Any], num_codebooks: Sequence[int] | None = None, *,
            out: str | Path | None = None, overwrite: bool = False, metrics: Sequence[str] | None = None,
            seed: int = 0, device: Any = "cpu", max_delay_ms: float = DEFAULT_MAX_DELAY_MS,
            engine: str = "local", workers: int | None = None, threads: int | None = None,
            ray_address: str | None = None, shard_size: int | None = None,
            listen_per_category: int | None = None, show_progress: bool = True) -> ComparisonTable:
    """Compare ``codecs`` on ``inputs`` and return the table; with ``out``, also write the study there.

    The study runs on the tokenize engines and is journaled in ``out``: the same
    call after an interruption (even ``kill -9``) resumes it, and ends equal to one
    clean run; the same call on a finished study does no work and returns its table.

    Args:
        codecs: codec names (options allowed), or one comma-separated string of them.
        inputs: what ``codecreg tokenize`` takes (audio files, folders, globs, JSONL/CSV manifests with
            segments and a ``category`` column, ``datasets`` Parquet files), or ``(name, wav [C, T],
            sample_rate[, category])`` tuples.
        num_codebooks: run each codec at each of these numbers of codebooks (those above a
            codec's total are skipped with a warning); None: each codec as named.
        out: folder for the study (docs/studies.md): new or empty, an unfinished run of this same study
            (resumed), or a finished study (this same one: its table, no work; another: refused unless
            ``overwrite``, then replaced once the new study is complete). None: nothing is kept.
        overwrite: start over, replacing a previous study once the new one is complete.
        metrics: metric names (``codecreg plugins`` lists them); None: every installed metric.
        seed: torch seed set before each encode and decode.
        device: a torch device this machine has ("cpu", "cuda:0", ...).
        max_delay_ms: largest codec delay that alignment looks for.
        engine: "local" (worker processes on this machine) or "ray" (a Ray Data actor pool).
        workers: worker processes or actors, each loading every codec once; 1 (the default for
            "local"): in this process.
        threads: torch threads in all (divided among the workers); None: one per CPU.
        ray_address: a Ray cluster to use ("auto", "ray://..."); None: a local instance for the study.
        shard_size: inputs per journaled shard of results (default 16).
        listen_per_category: inputs of each category on the listening page (default 8).
    """
    from .study_job import DEFAULT_LISTEN_PER_CATEGORY, DEFAULT_SHARD_SIZE, StudyRequest, run_study

    names = split_codec_names(codecs) if isinstance(codecs, str) else [n.strip() for n in codecs if n.strip()]
    if not names:
        raise ValueError("compare needs at least one codec name, e.g. codecs=['debug']")
    for name in names:
        _check_codec_available(name)
    check_device(device)
    skipped: list[str] = []
    specs = choose_metrics(metrics, skipped)
    request = StudyRequest(
        codecs=tuple(names), num_codebooks=None if num_codebooks is None else tuple(int(n) for n in num_codebooks),
        metrics=tuple(spec.name for spec in specs), seed=int(seed), device=str(device),
        max_delay_ms=float(max_delay_ms),
        shard_size=DEFAULT_SHARD_SIZE if shard_size is None else shard_size,
        listen_per_category=DEFAULT_LISTEN_PER_CATEGORY if listen_per_category is None else listen_per_category)
    return run_study(request, list(inputs), [metric_info(spec) for spec in specs], out=out, overwrite=overwrite,
                     engine=engine, workers=workers, threads=threads, ray_address=ray_address, warnings=skipped,
                     show_progress=show_progress)


def check_device(device: Any) -> None:
    """Refuse a device torch does not know or this machine does not have, naming those it has."""
    import torch

    try:
        torch.empty(0, device=device)
    except (RuntimeError, AssertionError, TypeError) as error:  # torch raises AssertionError without CUDA
        here = ["cpu", *(f"cuda:{i}" for i in range(torch.cuda.device_count()))]
        if torch.backends.mps.is_available():
            here.append("mps")
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CodecregError(f"device {str(device)!r} is not usable here ({reason}). "
                            f"Devices here: {', '.join(here)}") from None


def split_codec_names(text: str) -> list[str]:
    """``"debug?num_codebooks=2,channels=2,dac_44khz"`` -> ``["debug?num_codebooks=2,channels=2", "dac_44khz"]``.

    A comma separates codec names and also the options inside one: a piece that
    looks like ``key=value`` after a name with options belongs to that name.
    """
    names: list[str] = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        if names and "?" in names[-1] and _OPTION_START.match(piece):
            names[-1] += "," + piece
        else:
            names.append(piece)
    return names


def setting_name(name: str, num_codebooks: int) -> str:
    """The loadable name of codec ``name`` at ``num_codebooks``: ``debug`` -> ``debug?num_codebooks=2``."""
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    options = {k: v for k, v in parsed.options.items() if k not in CORE_CODEC_OPTIONS}
    return format_name(replace(parsed, options={**options, "num_codebooks": str(num_codebooks)}))


def family_name(name: str) -> str:
    """The codec without its codebook options: settings of one family share a line in the plots."""
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    return format_name(replace(parsed, options={k: v for k, v in parsed.options.items()
                                                if k not in CORE_CODEC_OPTIONS}))


def choose_metrics(names: Sequence[str] | None = None, skipped: list[str] | None = None) -> list[MetricSpec]:
    """The specs of the named metrics, or of every installed one, without building them.

    Unnamed metrics missing a dependency are skipped: logged, and their install
    hint appended to ``skipped``. A named one that is missing raises
    ``MissingDependencyError`` with the install command.
    """
    registry = get_registry()
    if names is None:
        specs = []
        for spec in registry.metrics.values():
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
    """Build the named metrics, or every installed one (``choose_metrics`` says which)."""
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


def _check_codec_available(name: str) -> None:
    """Fail before any work for a registered codec that is unknown or not installed (sources are checked on load)."""
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    if parsed.scheme is None:
        spec = codec_info(name)
        if spec.missing_requirements():
            raise MissingDependencyError(f"codec {spec.name!r} needs {', '.join(spec.missing_requirements())}: "
                                         f"{spec.install}")


def as_audio(wav: Any, what: str) -> np.ndarray:
    """``wav`` as float32 ``[C, T]``, refused if a codec could not encode it (no samples, NaN, infinity)."""
    from ..audio.arrays import as_float_audio, to_numpy

    if to_numpy(wav).size == 0:
        raise ValueError(f"{what} holds no samples: there is nothing to encode")
    audio = as_float_audio(wav, what=what)
    bad = int(np.count_nonzero(~np.isfinite(audio)))
    if bad:
        raise ValueError(f"{what} has {bad} NaN or infinite sample(s) out of {audio.size}, which no codec can "
                         "encode: replace them (np.nan_to_num) or leave the input out")
    return audio
