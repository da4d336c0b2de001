"""``codecreg.compare``: which codec, at which bitrate, is best and fastest on these inputs.

Every codec setting encodes and decodes every input (converted to the codec's
rate and channels); the reconstruction is delay-aligned to the converted input
and scored by every metric plugin, converted again to the rate and channels
each metric declares (``MetricSpec.sample_rates``, ``channel_mode``). Codes are counted for codebook usage;
encoding and decoding are timed. Everything but the timings is deterministic:
torch is seeded before each encode and decode.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..api import codec_info, get_registry, load_codec
from ..errors import CodecregError, MissingDependencyError, UnscorableError
from ..registry.names import CODEC_OPTION_ALIASES, CORE_CODEC_OPTIONS, format_name, parse_name
from .codebook_stats import CodeCounter
from ..registry.specs import MetricSpec
from .results import UNSCORED_COLUMN, ComparisonTable, MetricInfo, scored_column

DEFAULT_MAX_DELAY_MS = 50.0
_OPTION_START = re.compile(r"^[a-z][a-z0-9_]*=")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudyInput:
    """One input of a study: its unique name, samples ``[C, T]`` and rate."""

    name: str
    wav: np.ndarray
    sample_rate: int
    path: str = ""

    @property
    def seconds(self) -> float:
        return self.wav.shape[-1] / self.sample_rate


@dataclass(frozen=True)
class Metric:
    """A built metric: ``function(reference, estimate, rate)``, or ``function(audio, rate)`` without a reference."""

    info: MetricInfo
    function: Callable[..., float]
    spec: MetricSpec | None = None  # None: takes any rate and the channels as they are


def compare(codecs: str | Sequence[str], inputs: Iterable[Any], num_codebooks: Sequence[int] | None = None, *,
            out: str | Path | None = None, overwrite: bool = False, metrics: Sequence[str] | None = None,
            seed: int = 0, device: Any = "cpu", max_delay_ms: float = DEFAULT_MAX_DELAY_MS,
            show_progress: bool = True) -> ComparisonTable:
    """Compare ``codecs`` on ``inputs`` and return the table; with ``out``, also write the report there.

    Every codec is loaded before anything is written, and a study that fails
    removes what it wrote: ``out`` holds a complete study or is left as it was.

    Args:
        codecs: codec names (options allowed), or one comma-separated string of them.
        inputs: audio files, folders of them, or ``(name, wav [C, T], sample_rate)`` tuples.
        num_codebooks: run each codec at each of these numbers of codebooks (those above a
            codec's total are skipped with a warning); None: each codec as named.
        out: folder for CSV, JSON, markdown, plots and the listening page (docs/studies.md);
            new or empty, or holding a previous study to replace with ``overwrite``.
        overwrite: replace the previous study in ``out`` once the new one is complete.
        metrics: metric names (``codecreg plugins`` lists them); None: every installed metric.
        seed: torch seed set before each encode and decode.
        device: a torch device this machine has ("cpu", "cuda:0", ...).
        max_delay_ms: largest codec delay that alignment looks for.
    """
    from .report import check_study_folder, study_folder

    names = split_codec_names(codecs) if isinstance(codecs, str) else [n.strip() for n in codecs if n.strip()]
    if not names:
        raise ValueError("compare needs at least one codec name, e.g. codecs=['debug']")
    for name in names:
        _check_codec_available(name)
    check_device(device)
    if out is not None:
        check_study_folder(Path(out), overwrite)
    skipped: list[str] = []
    chosen = load_metrics(metrics, skipped)
    study_inputs, warnings = read_inputs(inputs)
    warnings = skipped + warnings
    models = [(name, load_codec(name, device=device)) for name in names]
    run = partial(_run_study, models, study_inputs, warnings, num_codebooks, chosen, seed, device, max_delay_ms,
                  show_progress=show_progress)
    if out is None:
        return run(writer=None)
    with study_folder(Path(out)) as writer:
        return run(writer=writer)


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


def load_metrics(names: Sequence[str] | None = None, skipped: list[str] | None = None) -> list[Metric]:
    """Build the named metrics, or every installed one.

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
    return [Metric(metric_info(spec), spec.load_factory()(), spec) for spec in specs]


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


def read_inputs(items: Iterable[Any]) -> tuple[list[StudyInput], list[str]]:
    """Inputs from paths, folders and ``(name, wav, sample_rate)`` tuples; unreadable files become warnings."""
    from ..audio.inputs import AUDIO_SUFFIXES, expand_inputs, slug

    study_inputs: list[StudyInput] = []
    warnings: list[str] = []
    taken: set[str] = set()

    def add(name: str, audio: np.ndarray, sample_rate: int, path: str = "") -> None:
        unique, number = slug(name), 2
        while unique in taken:
            unique, number = f"{slug(name)}-{number}", number + 1
        taken.add(unique)
        study_inputs.append(StudyInput(unique, audio, int(sample_rate), path))

    paths = []
    for item in items:
        if isinstance(item, tuple):
            name, wav, sample_rate = item
            add(name, _as_audio(wav, f"input {name!r}"), sample_rate)
        else:
            paths.append(item)
    if paths:
        from ..audio.reading import audio_read

        files, skipped = expand_inputs(paths, AUDIO_SUFFIXES)
        warnings += [f"skipped {path} (not an audio file name)" for path in skipped]
        for file in files:
            try:
                wav, sample_rate = audio_read(file.path)
                audio = _as_audio(wav, str(file.path))
            except Exception as error:  # one unreadable or unusable input must not stop the study
                warnings.append(f"skipped {file.path}: {type(error).__name__}: {error}")
                continue
            add(str(file.relative.with_suffix("")), audio, sample_rate, str(file.path))
    if not study_inputs:
        raise CodecregError("compare has no readable input: " + ("; ".join(warnings) or "none given"))
    return study_inputs, warnings


# internals ----------------------------------------------------------------
@dataclass
class _SettingRuns:
    model: Any
    label: str
    counter: CodeCounter
    per_input: list[dict[str, Any]]
    warnings: list[str]

    def summary(self, family: str, metrics: list[Metric]) -> dict[str, Any]:
        model, rows = self.model, self.per_input
        durations = [r["seconds"] for r in rows]
        seconds = sum(durations)
        usage = self.counter.usage()
        row = {"codec": self.label, "family": family, "num_codebooks": model.num_codebooks,
               "bitrate_kbps": float(model.bitrate), "tokens_per_s": model.num_codebooks * float(model.frame_rate),
               "sample_rate": model.sample_rate, "channels": model.channels, "frame_rate": float(model.frame_rate),
               "cardinality": model.cardinality,
               "encode_rtf": sum(r["encode_s"] for r in rows) / seconds,
               "decode_rtf": sum(r["decode_s"] for r in rows) / seconds,
               "delay_ms": float(np.average([r["delay_ms"] for r in rows], weights=durations))}
        for column in (c for m in metrics for c in m.info.columns):
            # weighted by duration: a 0.1 s clip counts a sixtieth of a 6 s one; inputs it could not score left out
            values = np.array([r[column] for r in rows], dtype=np.float64)
            scored = np.isfinite(values)
            row[column] = (float(np.average(values[scored], weights=np.asarray(durations)[scored]))
                           if scored.any() else float("nan"))
            row[scored_column(column)] = int(scored.sum())
        row["utilization"] = float(np.mean([u.utilization for u in usage]))
        row["perplexity"] = float(np.mean([u.perplexity for u in usage]))
        return row


def _run_study(models, study_inputs, warnings, num_codebooks, chosen, seed, device, max_delay_ms, *, writer,
               show_progress) -> ComparisonTable:
    """Every setting of every loaded codec on every input; the audio and report go to ``writer``, if any."""
    from ..progress import progress, report

    if writer is not None:
        for item in study_inputs:
            writer.write_original(item)
    rows, per_input, codebooks, done = [], [], [], set()
    ceiling_cache: tuple[dict, dict] = ({}, {})
    steps = len(models) * len(num_codebooks or [None]) * len(study_inputs)
    bar = progress(range(steps), description="compare", unit="run") if show_progress else iter(range(steps))
    for name, model in models:
        _warm_up(model, study_inputs[0], device)
        for n in _settings(model, num_codebooks, warnings):
            model.set_num_codebooks(n)
            label = model.name if num_codebooks is None else setting_name(name, n)
            if label in done:
                warnings.append(f"{label} is listed twice; measured once")
                continue
            done.add(label)
            runs = _run_setting(model, label, study_inputs, chosen, seed, device, max_delay_ms, writer, bar,
                                ceiling_cache)
            per_input += runs.per_input
            rows.append(runs.summary(family_name(name), chosen))
            codebooks += [{"codec": label, "codebook": u.codebook, "utilization": u.utilization,
                           "perplexity": u.perplexity, "entropy_bits": u.entropy_bits}
                          for u in runs.counter.usage()]
            warnings += runs.warnings
    for _ in bar:  # settings skipped above leave steps; finish the bar
        pass

    table = ComparisonTable(rows=rows, per_input=per_input, codebooks=codebooks,
                            metrics=[m.info for m in chosen], seed=seed, warnings=warnings,
                            inputs=[{"name": i.name, "path": i.path, "seconds": i.seconds,
                                     "sample_rate": i.sample_rate, "channels": i.wav.shape[0]}
                                    for i in study_inputs])
    for message in warnings:
        report(f"warning: {message}")
    if writer is not None:
        writer.write_report(table)
    return table


def _run_setting(model, label, study_inputs, metrics, seed, device, max_delay_ms, writer, bar,
                 ceiling_cache) -> _SettingRuns:
    """One codec setting on every input; ``ceiling_cache`` keeps no-reference scores of the inputs across settings."""
    import torch

    from ..audio.reading import convert_audio
    from .alignment import align

    runs = _SettingRuns(model, label, CodeCounter(model.num_codebooks, model.cardinality), [], [])
    ceilings, ceilings_unscored = ceiling_cache
    max_lag = int(round(max_delay_ms * model.sample_rate / 1000))
    for item in study_inputs:
        reference = np.ascontiguousarray(
            convert_audio(item.wav, item.sample_rate, model.sample_rate, model.channels,
                          getattr(model, "resampler", "soxr")), dtype=np.float32)
        audio = torch.from_numpy(reference)[None].to(device)
        with torch.inference_mode():
            torch.manual_seed(seed)
            start = _clock(device)
            codes, scale = model.encode(audio)
            encoded = _clock(device)
            torch.manual_seed(seed)
            decoded = model.decode(codes, scale, length=reference.shape[-1])
            finished = _clock(device)
        estimate = decoded[0].float().cpu().numpy()
        runs.counter.add(codes.cpu().numpy())
        aligned_reference, aligned_estimate, delay = align(reference, estimate, max_lag)
        row = {"codec": label, "input": item.name, "seconds": reference.shape[-1] / model.sample_rate,
               "encode_s": encoded - start, "decode_s": finished - encoded,
               "delay_ms": 1000.0 * delay / model.sample_rate}
        unscored: list[str] = []
        where = f"{label} on {item.name}"
        for metric in metrics:
            if metric.info.needs_reference:
                row[metric.info.name] = _score(metric, aligned_reference, aligned_estimate, model.sample_rate,
                                               where, runs.warnings, unscored)
            else:  # no alignment needed: the whole reconstruction, and the input the codec saw as its ceiling
                row[metric.info.name] = _score(metric, None, estimate, model.sample_rate, where, runs.warnings,
                                               unscored)
                key = (item.name, model.sample_rate, model.channels, metric.info.name)
                if key not in ceilings:
                    ceilings[key] = _score(metric, None, reference, model.sample_rate, f"input {item.name}",
                                           runs.warnings, ceilings_unscored.setdefault(key, []), column="input")
                row[metric.info.input_column] = ceilings[key]
                unscored += ceilings_unscored[key]
        row[UNSCORED_COLUMN] = "; ".join(unscored)
        runs.per_input.append(row)
        if writer is not None:
            writer.write_reconstruction(item, label, estimate, model.sample_rate)
        next(bar, None)
    return runs


def _score(metric: Metric, reference: np.ndarray | None, estimate: np.ndarray, sample_rate: int, where: str,
           warnings: list[str], unscored: list[str], column: str = "") -> float:
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


def _settings(model: Any, num_codebooks: Sequence[int] | None, warnings: list[str]) -> list[int]:
    if num_codebooks is None:
        return [model.num_codebooks]
    settings = []
    for n in num_codebooks:
        if 1 <= n <= model.total_codebooks:
            settings.append(int(n))
        else:
            warnings.append(f"{model.name} has {model.total_codebooks} codebooks: num_codebooks={n} skipped")
    return settings


def _warm_up(model: Any, item: StudyInput, device: Any) -> None:
    """One untimed round trip on up to a second of audio, so lazy initialization is not timed."""
    import torch

    from ..audio.reading import convert_audio

    wav = convert_audio(item.wav[:, : item.sample_rate], item.sample_rate, model.sample_rate, model.channels,
                        getattr(model, "resampler", "soxr"))
    with torch.inference_mode():
        codes, scale = model.encode(torch.from_numpy(np.ascontiguousarray(wav, dtype=np.float32))[None].to(device))
        model.decode(codes, scale, length=wav.shape[-1])


def _clock(device: Any) -> float:
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter()


def _check_codec_available(name: str) -> None:
    """Fail before any work for a registered codec that is unknown or not installed (sources are checked on load)."""
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    if parsed.scheme is None:
        spec = codec_info(name)
        if spec.missing_requirements():
            raise MissingDependencyError(f"codec {spec.name!r} needs {', '.join(spec.missing_requirements())}: "
                                         f"{spec.install}")


def _as_audio(wav: Any, what: str) -> np.ndarray:
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
