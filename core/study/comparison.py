"""``codecreg.compare``: which codec, at which bitrate, is best and fastest on these inputs.

Every codec setting encodes and decodes every input (converted to the codec's
rate and channels); the reconstruction is delay-aligned to the converted input
and scored by every metric plugin, converted again to the rate and channels
each metric declares (``MetricSpec.sample_rates``, ``channel_mode``). Codes are counted for codebook usage;
encoding and decoding are timed. Everything but the timings is deterministic:
torch is seeded before each encode and decode.

This module holds the API; the metrics are ``scoring``, the settings' names
``setting_names``, the work on one input ``study_task`` (it runs in the
engines' workers), the journaled job around it ``study_job``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from ..codec.encode_only import no_decoder_error
from ..errors import CodecregError, MissingDependencyError
from ..registry.loading import codec_info
from ..registry.names import CODEC_OPTION_ALIASES, parse_name
from .results import ComparisonTable
from .scoring import choose_metrics, metric_info
from .setting_names import split_codec_names

DEFAULT_MAX_DELAY_MS = 50.0


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
        metrics: metric names (``codecreg plugins`` lists them), or ``["all"]`` for every installed one;
            None: the installed metrics on by default (``MetricSpec.default``: all but ViSQOL and DNSMOS).
        seed: torch seed set before each encode and decode.
        device: a torch device this machine has ("cpu", "cuda:0", ...).
        max_delay_ms: largest codec delay that alignment looks for.
        engine: "local" (worker processes on this machine) or "ray" (a pool of Ray actors).
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


def _check_codec_available(name: str) -> None:
    """Fail before any work for a registered codec that is unknown or not installed (sources are checked on load)."""
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    if parsed.scheme is None:
        spec = codec_info(name)
        if not spec.has_decoder:
            raise no_decoder_error(name, "be compared: a study decodes what it encodes")
        if spec.missing_requirements():
            raise MissingDependencyError(f"codec {spec.name!r} needs {', '.join(spec.missing_requirements())}: "
                                         f"{spec.install}")


