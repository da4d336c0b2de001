"""A tokenization job: inputs -> shards in a folder, resumed where an earlier run stopped.

Everything that can be checked is checked before any work: the inputs exist,
the folder holds nothing but this job's dataset, a rerun has the same inputs
and shard size, and (once an engine has loaded it, before any input is
encoded) the same codec. The engine then encodes the pending shards' inputs;
each shard is written as soon as all of its inputs are back, then journaled.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Iterator

from ..files.atomic_file import atomic_write_path
from ..files.inputs import InputError
from ..files.output_path import check_output_folder
from ..errors import CodecregError
from ..registry.names import with_resampler
from .encoding import EncodedItem
from .inputs import Item, collect_items
from .job_progress import JobProgress, JobSummary
from .journal import ERRORS_FILE, JOURNAL_FILE, LOCK_FILE, Journal, ShardRecord, folder_lock, remove_partial_shards
from .metadata import (METADATA_FILE, DatasetMetadata, check_same_codec, check_same_job, inputs_digest,
                       read_metadata)
from .shards import SHARD_GLOB, write_shard

ENGINES = ("local", "ray")
DEFAULT_SHARD_SIZE = 1000


def tokenize_dataset(inputs: list[str | os.PathLike], codec: str, out: str | os.PathLike, *,
                     engine: str = "local", workers: int | None = None, shard_size: int = DEFAULT_SHARD_SIZE,
                     device: str = "cpu", ray_address: str | None = None, threads: int | None = None,
                     show_progress: bool = True, resampler: str | None = None) -> JobSummary:
    """Tokenize ``inputs`` (audio files, folders, globs, manifests, Parquet files) with ``codec`` into
    Parquet shards in ``out``; rerun the same call to resume. See docs/tokenize.md.

    ``resampler`` ("soxr" or "julius") joins the codec name's options (``codec?resampler=julius``)."""
    if resampler is not None:
        codec = with_resampler(codec, resampler)
    if engine not in ENGINES:
        raise CodecregError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if not isinstance(shard_size, int) or shard_size < 1:
        raise CodecregError(f"shard size must be a whole number of inputs, at least 1; got {shard_size!r}")
    if workers is not None and workers < 1:
        raise CodecregError(f"workers must be at least 1, got {workers}")
    items, skipped = collect_items(inputs)
    if not items:
        raise InputError("no audio inputs found in " + ", ".join(map(str, inputs)))
    folder = check_output_folder(out)
    _refuse_foreign_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with folder_lock(folder):
        remove_partial_shards(folder)
        existing = read_metadata(folder)
        if existing is not None:
            check_same_job(existing, shard_size, items, folder)
        summary = _run(items, codec, folder, existing, shard_size,
                       lambda work: _engine(engine, codec, device, work, workers, threads, ray_address),
                       show_progress)
    summary.skipped = skipped
    return summary


def _engine(engine: str, codec: str, device: str, work: list[tuple[int, Item]], workers: int | None,
            threads: int | None, ray_address: str | None) -> Iterator[tuple]:
    if engine == "ray":
        from .ray_engine import default_actors, run_ray

        return run_ray(codec, device, work, workers or default_actors(), threads, ray_address)
    from .local_engine import default_workers, run_local

    return run_local(codec, device, work, workers or default_workers(), threads)


def _run(items: list[Item], codec: str, folder: Path, existing: DatasetMetadata | None, shard_size: int,
         start_engine, show_progress: bool) -> JobSummary:
    journal = Journal(folder)
    shards = math.ceil(len(items) / shard_size)
    pending = [shard for shard in range(shards) if shard not in journal.records]
    work = [(index, items[index]) for shard in pending
            for index in range(shard * shard_size, min(len(items), (shard + 1) * shard_size))]
    summary = JobSummary(inputs=len(items), already_done=len(items) - len(work))
    started = time.perf_counter()
    if work or existing is None or codec != existing.codec:  # a finished job under its own name: no work
        events = start_engine(work)
        try:
            _, description = next(events)
            summary.startup_seconds = time.perf_counter() - started
            metadata = _dataset_metadata(folder, existing, description, shard_size, items)
            _write_shards(events, items, folder, metadata, journal, shard_size, summary, show_progress)
        finally:
            events.close()
    journal.write_errors_table()
    summary.seconds = time.perf_counter() - started
    summary.failures = len(journal.failures())
    summary.output_bytes = sum(path.stat().st_size for path in folder.glob(SHARD_GLOB))
    return summary


def _dataset_metadata(folder: Path, existing: DatasetMetadata | None, description: dict, shard_size: int,
                      items: list[Item]) -> DatasetMetadata:
    if existing is not None:
        check_same_codec(existing, description, folder)
        return existing
    metadata = DatasetMetadata(**description, shard_size=shard_size, num_inputs=len(items),
                               inputs_digest=inputs_digest(items))
    with atomic_write_path(folder / METADATA_FILE) as temporary:
        temporary.write_text(metadata.to_json() + "\n")
    return metadata


def _write_shards(events: Iterator[tuple], items: list[Item], folder: Path, metadata: DatasetMetadata,
                  journal: Journal, shard_size: int, summary: JobSummary, show_progress: bool) -> None:
    """Collect the engine's results by shard; write and journal each shard once all its inputs are back."""
    buffers: dict[int, dict[int, EncodedItem | str]] = {}
    bar = JobProgress(len(items) - summary.already_done, show_progress)
    try:
        for status, index, result in events:
            shard = index // shard_size
            buffers.setdefault(shard, {})[index] = result
            if status == "done":
                summary.inputs_done += 1
                summary.audio_seconds += result.length / metadata.sample_rate
                summary.tokens += result.codes.size
            bar.advance(result.length / metadata.sample_rate if status == "done" else 0.0)
            first, stop = shard * shard_size, min(len(items), (shard + 1) * shard_size)
            if len(buffers[shard]) == stop - first:
                _finish_shard(shard, [(items[i], buffers[shard][i]) for i in range(first, stop)], folder,
                              metadata, journal)
                del buffers[shard]
    finally:
        bar.close()


def _finish_shard(shard: int, results: list[tuple[Item, EncodedItem | str]], folder: Path,
                  metadata: DatasetMetadata, journal: Journal) -> None:
    rows = [(item, result) for item, result in results if isinstance(result, EncodedItem)]
    failed = [(item.source, result) for item, result in results if isinstance(result, str)]
    write_shard(folder, shard, rows, metadata)
    journal.record(ShardRecord(shard, [item.id for item, _ in rows], failed))


def _refuse_foreign_folder(folder: Path) -> None:
    """An --out folder must be new, empty, or a codecreg dataset: never mix shards into other files."""
    if not folder.is_dir() or (folder / METADATA_FILE).exists():
        return
    ours = {LOCK_FILE, JOURNAL_FILE, ERRORS_FILE}
    foreign = sorted(path.name for path in folder.iterdir()
                     if path.name not in ours and not (path.name.startswith(".shard-") and path.name.endswith(".partial")))
    if foreign:
        raise CodecregError(f"{folder} is not empty and holds no codecreg dataset ({', '.join(foreign[:3])}"
                            f"{' ...' if len(foreign) > 3 else ''}); give a new or empty --out folder")

