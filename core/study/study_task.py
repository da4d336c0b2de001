"""The worker's side of a study: every codec loaded once, then each input through every setting.

``CompareTask`` is a task of the dataset engines (``codecreg.dataset.tasks``):
it travels to each local worker or Ray actor, which loads every codec and
metric once (``load``) and then, per input, reads it at its own rate
(``read``) and runs it through every codec setting (``run``): convert, encode,
decode, delay-align, score with every metric, count codes. The result of one
input is plain data (its rows, its code counts per setting, the warnings and
the settings that failed on it), so any engine returns the same and the job
journals it. An input longer than ``STREAM_SECONDS`` is coded through the
codec's chunked path (``encode_stream`` / ``decode_stream``), so codec memory
does not grow with it. The inputs picked for the listening page have their
original and reconstructions written here, where the audio is.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..dataset.encoding import STREAM_SECONDS
from ..dataset.inputs import Item
from .results import UNSCORED_COLUMN, setting_slug

#: seconds of audio per block on the chunked path
BLOCK_SECONDS = 10.0


@dataclass(frozen=True)
class StudyItem:
    """One input of a study: a file (or segment, or Parquet row) ``item``, or samples ``wav [C, T]``."""

    name: str  # unique in the study, file-name safe
    category: str = ""
    item: Item | None = None
    wav: np.ndarray | None = field(default=None, repr=False)
    sample_rate: int = 0
    sampled: bool = False  # its audio is written for the listening page

    @property
    def source(self) -> str:
        return self.item.source if self.item is not None else f"input {self.name!r}"

    @property
    def path(self) -> str:
        return self.item.path if self.item is not None else ""


@dataclass(frozen=True)
class CompareTask:
    """What a worker needs to run a study: codec names, settings, metric names, and where sampled audio goes."""

    codecs: tuple[str, ...]
    num_codebooks: tuple[int, ...] | None
    metrics: tuple[str, ...]
    seed: int = 0
    device: str = "cpu"
    max_delay_ms: float = 50.0
    audio_folder: str = ""  # the study's audio of the sampled inputs: AUDIO/INPUT/SETTING.wav

    def load(self) -> "CompareRunner":
        return CompareRunner(self)


@dataclass
class _Setting:
    label: str
    family: str
    model: Any
    num_codebooks: int
    slug: str


class CompareRunner:
    """Every codec and metric of a ``CompareTask``, loaded; ``run`` measures one input."""

    def __init__(self, task: CompareTask):
        from ..codec.encode_only import check_decodable
        from ..registry.loading import load_codec
        from .scoring import build_metrics

        self.task = task
        models = [(name, load_codec(name, device=task.device)) for name in task.codecs]
        for _, model in models:  # a source's encode-only tokenizer is known once built: before any input is coded
            check_decodable(model, "be compared: a study decodes what it encodes")
        self.metrics = build_metrics(list(task.metrics))
        self.settings: list[_Setting] = []
        warnings: list[str] = []
        for name, model in models:
            self.settings += _settings_of(name, model, task.num_codebooks, warnings,
                                          {s.label for s in self.settings})
        for setting in self.settings:
            setting.slug = setting_slug(setting.label, [s.slug for s in self.settings if s is not setting and s.slug])
        for _, model in models:
            _warm_up(model, task.device)
        self.description = {"settings": [_describe(s) for s in self.settings], "warnings": warnings}

    def read(self, item: StudyItem) -> tuple[np.ndarray, int]:
        """The input's samples ``[C, T]`` at its own rate, refused if no codec could encode them."""

        if item.wav is not None:
            return item.wav, item.sample_rate
        from ..dataset.encoding import read_source_audio

        wav, rate = read_source_audio(item.item)
        return as_audio(wav, item.source), rate

    def run(self, item: StudyItem, source: tuple[np.ndarray, int]) -> dict[str, Any]:
        wav, rate = source
        result: dict[str, Any] = {
            "input": {"name": item.name, "path": item.path, "category": item.category,
                      "seconds": wav.shape[-1] / rate, "sample_rate": int(rate), "channels": int(wav.shape[0])},
            "rows": [], "counts": {}, "warnings": [], "failed": []}
        if item.sampled:
            _write(Path(self.task.audio_folder) / item.name / "original.wav", wav, rate)
        ceilings: dict[tuple, tuple[float, list[str]]] = {}
        with one_blas_thread():
            self._run_settings(item, wav, rate, ceilings, result)
        return result

    def _run_settings(self, item: StudyItem, wav: np.ndarray, rate: int, ceilings: dict, result: dict) -> None:
        for setting in self.settings:
            try:
                row, counts, estimate = self._measure(setting, item, wav, rate, ceilings, result["warnings"])
            except Exception as error:  # one setting failing on one input costs that row only
                result["failed"].append((setting.label, f"{type(error).__name__}: {error}"))
                continue
            result["rows"].append(row)
            result["counts"][setting.label] = counts
            if item.sampled:
                _write(Path(self.task.audio_folder) / item.name / f"{setting.slug}.wav", estimate,
                       setting.model.sample_rate)

    # internals --------------------------------------------------------------
    def _measure(self, setting: _Setting, item: StudyItem, wav: np.ndarray, rate: int, ceilings: dict,
                 warnings: list[str]) -> tuple[dict, np.ndarray, np.ndarray]:
        from ..audio.reading.conversion import convert_audio
        from .alignment import align
        from .scoring import score_or_reason

        model, task = setting.model, self.task
        model.set_num_codebooks(setting.num_codebooks)
        reference = np.ascontiguousarray(convert_audio(wav, rate, model.sample_rate, model.channels,
                                                       getattr(model, "resampler", "soxr")), dtype=np.float32)
        codes, estimate, encode_s, decode_s = _round_trip(model, reference, task.seed, task.device)
        counts = np.stack([np.bincount(codes[:, k].reshape(-1), minlength=model.cardinality)
                           for k in range(codes.shape[1])])
        started = time.perf_counter()
        max_lag = int(round(task.max_delay_ms * model.sample_rate / 1000))
        aligned_reference, aligned_estimate, delay = align(reference, estimate, max_lag)
        row = {"codec": setting.label, "input": item.name, "category": item.category,
               "seconds": reference.shape[-1] / model.sample_rate, "encode_s": encode_s, "decode_s": decode_s,
               "metrics_s": 0.0, "delay_ms": 1000.0 * delay / model.sample_rate}
        unscored: list[str] = []
        where = f"{setting.label} on {item.name}"
        for metric in self.metrics:
            if metric.info.needs_reference:
                row[metric.info.name] = score_or_reason(metric, aligned_reference, aligned_estimate,
                                                        model.sample_rate, where, warnings, unscored)
            else:  # no alignment needed: the whole reconstruction, and the input the codec saw as its ceiling
                row[metric.info.name] = score_or_reason(metric, None, estimate, model.sample_rate, where, warnings,
                                                        unscored)
                key = (model.sample_rate, model.channels, metric.info.name)
                if key not in ceilings:
                    reasons: list[str] = []
                    ceilings[key] = (score_or_reason(metric, None, reference, model.sample_rate,
                                                     f"input {item.name}", warnings, reasons, column="input"),
                                     reasons)
                row[metric.info.input_column] = ceilings[key][0]
                unscored += ceilings[key][1]
        row[UNSCORED_COLUMN] = "; ".join(unscored)
        row["metrics_s"] = time.perf_counter() - started
        return row, counts, estimate


def one_blas_thread() -> Any:
    """numpy's BLAS on one thread while a block runs: a dot product's rounding depends on how many threads
    share it, and a study's numbers must not depend on its engine or number of workers."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # without it, numbers may differ in their last digits from engine to engine
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _settings_of(name: str, model: Any, num_codebooks: tuple[int, ...] | None, warnings: list[str],
                 taken: set[str]) -> list[_Setting]:
    from .setting_names import family_name, setting_name

    if num_codebooks is None:
        numbers = [model.num_codebooks]
    else:
        numbers = []
        for n in num_codebooks:
            if not 1 <= n <= model.total_codebooks:
                warnings.append(f"{model.name} has {model.total_codebooks} codebooks: num_codebooks={n} skipped")
                continue
            try:
                model.check_num_codebooks(int(n))  # a multi-rate codec takes whole levels only
            except ValueError as error:
                warnings.append(f"num_codebooks={n} skipped: {error}")
                continue
            numbers.append(int(n))
    settings = []
    for n in numbers:
        label = model.name if num_codebooks is None else setting_name(name, n)
        if label in taken:
            warnings.append(f"{label} is listed twice; measured once")
            continue
        taken.add(label)
        settings.append(_Setting(label, family_name(name), model, n, ""))
    return settings


def _describe(setting: _Setting) -> dict[str, Any]:
    model = setting.model
    model.set_num_codebooks(setting.num_codebooks)
    return {"codec": setting.label, "family": setting.family, "num_codebooks": setting.num_codebooks,
            "bitrate_kbps": float(model.bitrate), "tokens_per_s": setting.num_codebooks * float(model.frame_rate),
            "sample_rate": int(model.sample_rate), "channels": int(model.channels),
            "frame_rate": float(model.frame_rate), "cardinality": int(model.cardinality), "slug": setting.slug}


def _round_trip(model: Any, reference: np.ndarray, seed: int, device: Any) -> tuple[np.ndarray, np.ndarray, float,
                                                                                  float]:
    """``(codes [1, K, T'], reconstruction [C, T], encode s, decode s)``; long inputs through the chunked path."""
    import torch

    length = reference.shape[-1]
    audio = torch.from_numpy(reference)[None].to(device)
    chunked = length > STREAM_SECONDS * model.sample_rate and model.coding_plan() is not None
    with torch.inference_mode():
        torch.manual_seed(seed)
        start = _clock(device)
        if chunked:
            block = int(BLOCK_SECONDS * model.sample_rate)
            pieces = list(model.encode_stream(audio[..., i:i + block] for i in range(0, length, block)))
            codes = torch.cat([c for c, _ in pieces], dim=-1)
        else:
            codes, scale = model.encode(audio)
        encoded = _clock(device)
        torch.manual_seed(seed)
        if chunked:
            decoded = torch.cat(list(model.decode_stream(pieces, length)), dim=-1)
        else:
            decoded = model.decode(codes, scale, length=length)
        finished = _clock(device)
    return codes.cpu().numpy(), decoded[0].float().cpu().numpy(), encoded - start, finished - encoded


def _warm_up(model: Any, device: Any) -> None:
    """One untimed round trip on a second of noise, so lazy initialization is not timed."""
    import torch

    wav = np.random.default_rng(0).uniform(-0.5, 0.5, (model.channels, model.sample_rate)).astype(np.float32)
    with torch.inference_mode():
        codes, scale = model.encode(torch.from_numpy(wav)[None].to(device))
        model.decode(codes, scale, length=wav.shape[-1])


def _clock(device: Any) -> float:
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter()


def _write(path: Path, wav: np.ndarray, sample_rate: int) -> None:
    from ..audio.writing.whole_file import audio_write

    # Levels are kept as the codec made them (clipped at full scale only), so tracks compare fairly.
    audio_write(path.with_suffix(""), wav, sample_rate, format="wav", strategy="clip", peak_clip_headroom_db=0,
                log_clipping=False)


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
