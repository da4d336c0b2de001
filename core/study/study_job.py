"""A study as a journaled job: inputs -> result shards in ``OUT/_study/`` -> the report, resumed where it stopped.

Everything that can be checked is checked before any work: the codecs and
metrics exist, the inputs exist (``codecreg.dataset.inputs``, as for
``tokenize``), and the folder is new, empty, this same study, or (with
``overwrite``) a previous one. An engine (``codecreg.dataset``'s local or Ray
engine, or this process for one worker) then runs ``study_task.CompareTask``
on the pending inputs. Inputs are grouped into shards of ``shard_size``; once
all inputs of a shard are back, its per-input rows are written as Parquet
(``rows-NNNNN.parquet``) and its code counts, inputs and warnings as JSON
(``shard-NNNNN.json``), each atomically, and the shard is journaled
(``_journal.jsonl``, the tokenize journal). A rerun skips journaled shards, so
``kill -9`` and the same command again ends with the tables of one clean run;
a finished study's rerun does no work. Results held in memory are those of the
shards still open, so memory stays flat in the number of inputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..dataset.inputs import Item
from ..dataset.journal import Journal, ShardRecord, folder_lock
from ..errors import CodecregError
from .report import WORK_FOLDER
from .results import ComparisonTable, MetricInfo, write_rows
from .study_task import CompareTask, StudyItem, as_audio

DEFAULT_SHARD_SIZE = 16
DEFAULT_LISTEN_PER_CATEGORY = 8
ENGINES = ("local", "ray")
REPLACED_FOLDER = "_study.replaced"  # a previous study's work, while --overwrite's new study loads its codecs
STUDY_FILE = "study.json"


class StudyMismatchError(CodecregError):
    """A study folder that holds another study (other codecs, inputs, metrics or options)."""


@dataclass(frozen=True)
class StudyRequest:
    """What decides a study's numbers: a rerun must ask for the same to resume it."""

    codecs: tuple[str, ...]
    num_codebooks: tuple[int, ...] | None
    metrics: tuple[str, ...]
    seed: int
    device: str
    max_delay_ms: float
    shard_size: int
    listen_per_category: int

    def fields(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))  # tuples as lists, as the study file holds them


def run_study(request: StudyRequest, inputs: list[Any], metrics: list[MetricInfo], *, out: str | Path | None,
              overwrite: bool, engine: str, workers: int | None, threads: int | None, ray_address: str | None,
              warnings: list[str], show_progress: bool) -> ComparisonTable:
    """Run (or resume, or read back) the study of ``request`` on ``inputs``; see ``codecreg.compare``."""
    if engine not in ENGINES:
        raise CodecregError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise CodecregError(f"workers must be a whole number, at least 1; got {workers!r}")
    if not isinstance(request.shard_size, int) or request.shard_size < 1:
        raise CodecregError(f"shard size must be a whole number of inputs, at least 1; got {request.shard_size!r}")
    if not isinstance(request.listen_per_category, int) or request.listen_per_category < 0:
        raise CodecregError("listen_per_category must be a whole number, at least 0; "
                            f"got {request.listen_per_category!r}")
    items, skipped = study_items(inputs, request.listen_per_category)
    warnings = warnings + skipped
    job = _Job(request, items, metrics, engine, workers, threads, ray_address, warnings, show_progress)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="codecreg-study-") as scratch:
            table = job.run(Path(scratch) / "study", overwrite=False, report=False)
    else:
        table = job.run(Path(out), overwrite=overwrite, report=True)
    from ..progress import report

    for message in table.warnings:
        report(f"warning: {message}")
    return table


def study_items(inputs: list[Any], listen_per_category: int) -> tuple[list[StudyItem], list[str]]:
    """The study's inputs in order, with unique names and the ones picked for the listening page;
    and warnings for files in folders left out for their suffix."""
    from ..files.inputs import slug
    from ..dataset.inputs import collect_items

    items: list[StudyItem] = []
    taken: set[str] = set()
    skipped: list[str] = []

    def unique(name: str) -> str:
        base, number = slug(name), 2
        candidate = base
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        return candidate

    paths: list[Any] = []

    def flush() -> None:
        if not paths:
            return
        found, left_out = collect_items(list(paths))
        skipped.extend(f"skipped {path} (not an audio file name)" for path in left_out)
        for item in found:
            items.append(StudyItem(unique(_display_name(item)), item.category, item=item))
        paths.clear()

    for given in inputs:
        if isinstance(given, tuple):
            flush()
            if len(given) not in (3, 4):
                raise ValueError("an in-memory input is (name, wav [C, T], sample_rate) or (name, wav, sample_rate, "
                                 f"category); got a tuple of {len(given)}")
            name, wav, rate = given[:3]
            category = str(given[3]) if len(given) == 4 else ""
            items.append(StudyItem(unique(str(name)), category, wav=as_audio(wav, f"input {name!r}"),
                                   sample_rate=int(rate)))
        else:
            paths.append(given)
    flush()
    if not items:
        raise CodecregError("compare has no input: " + ("; ".join(skipped) or "none given"))
    picked = _listening_sample(items, listen_per_category)
    return [StudyItem(i.name, i.category, i.item, i.wav, i.sample_rate, index in picked)
            for index, i in enumerate(items)], skipped


def inputs_digest(items: list[StudyItem]) -> str:
    """A fingerprint of the inputs in order (in-memory ones by their samples): resuming needs the same."""
    digest = hashlib.sha256()
    for item in items:
        if item.item is not None:
            i = item.item
            digest.update(json.dumps([item.name, i.path, i.start, i.end, i.row, item.category]).encode())
        else:
            digest.update(json.dumps([item.name, item.sample_rate, list(item.wav.shape), item.category]).encode())
            digest.update(np.ascontiguousarray(item.wav).tobytes())
        digest.update(b"\n")
    return digest.hexdigest()


# internals ----------------------------------------------------------------
def _display_name(item: Item) -> str:
    """Files are named by their path under the folder given, without the suffix (``speech/a``)."""
    if item.row is None and item.start is None and item.end is None and item.id.lower().endswith(
            Path(item.path).suffix.lower()) and Path(item.path).suffix:
        return item.id[: -len(Path(item.path).suffix)]
    return item.id


def _listening_sample(items: list[StudyItem], per_category: int) -> set[int]:
    """Up to ``per_category`` inputs of each category, evenly spread over its inputs in order."""
    by_category: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_category.setdefault(item.category, []).append(index)
    picked: set[int] = set()
    for indices in by_category.values():
        count = min(per_category, len(indices))
        picked.update(indices[int(k * len(indices) / count)] for k in range(count))
    return picked


class _Job:
    def __init__(self, request, items, metrics, engine, workers, threads, ray_address, warnings, show_progress):
        self.request, self.items, self.metrics = request, items, metrics
        self.engine, self.workers, self.threads, self.ray_address = engine, workers, threads, ray_address
        self.warnings, self.show_progress = warnings, show_progress
        self.digest = inputs_digest(items)

    def run(self, out: Path, *, overwrite: bool, report: bool) -> ComparisonTable:
        from .report import check_study_folder, finished_study, write_report

        state = check_study_folder(out, overwrite, self._matches)
        if state == "finished":
            return finished_study(out)
        work = out / WORK_FOLDER
        replaced = out / REPLACED_FOLDER
        shutil.rmtree(replaced, ignore_errors=True)  # a killed restart's: its replacement had started
        if state == "restart":  # --overwrite of another study: its work is set aside until our codecs load, its
            work.rename(replaced)  # report stays until ours is complete
        created = [folder for folder in (work, *work.parents) if not folder.exists()]
        work.mkdir(parents=True, exist_ok=True)

        def ready() -> None:
            shutil.rmtree(replaced, ignore_errors=True)

        with folder_lock(work):
            _remove_partial_files(work)
            study = _read_study_file(work)
            try:
                description = self._run_shards(work, study, ready)
            except BaseException:
                if study is None and not (work / "_journal.jsonl").exists():
                    _remove_created(work, created)  # nothing done yet: leave the folder as it was
                    if replaced.exists():
                        replaced.rename(work)
                raise
            table = assemble_table(work, description, self.metrics, self.request, self.warnings)
            if report:
                write_report(table, out, work / "audio")
        return table

    def _matches(self, work: Path) -> bool:
        study = _read_study_file(work)
        return study is not None and study["request"] == self.request.fields() and study["inputs"] == self.digest

    def _run_shards(self, work: Path, study: dict | None, ready: Any) -> dict:
        """Run the engine on the inputs of unjournaled shards; the settings' description."""
        journal = Journal(work)
        size = self.request.shard_size
        shards = math.ceil(len(self.items) / size)
        pending = [shard for shard in range(shards) if shard not in journal.records]
        todo = [(index, self.items[index]) for shard in pending
                for index in range(shard * size, min(len(self.items), (shard + 1) * size))]
        if not todo and study is not None:
            return study["description"]
        events = self._engine(work, todo)
        try:
            _, description = next(events)
            ready()
            if study is None:
                _write_json(work / STUDY_FILE, {"request": self.request.fields(), "inputs": self.digest,
                                                "num_inputs": len(self.items), "description": description})
            elif description != study["description"]:
                raise StudyMismatchError(f"{work.parent}'s study was made with codecs that describe themselves "
                                         "otherwise now (other weights or versions); resume it where it was "
                                         "made, or give another --out folder")
            self._collect(events, work, journal, description, len(todo))
        finally:
            events.close()
        return description

    def _engine(self, work: Path, todo: list[tuple[int, StudyItem]]) -> Iterator[tuple]:
        from ..dataset.tasks import run_inline

        request = self.request
        task = CompareTask(request.codecs, request.num_codebooks, request.metrics, request.seed, request.device,
                           request.max_delay_ms, str(work / "audio"))
        if self.engine == "ray":
            from ..dataset.ray_engine import default_actors, run_task_ray

            return run_task_ray(task, todo, self.workers or default_actors(), self.threads, self.ray_address)
        if (self.workers or 1) == 1:
            return run_inline(task, todo, self.threads)
        from ..dataset.local_engine import run_task_local

        return run_task_local(task, todo, self.workers, self.threads)

    def _collect(self, events: Iterator[tuple], work: Path, journal: Journal, description: dict, total: int) -> None:
        from ..dataset.job_progress import JobProgress

        size = self.request.shard_size
        buffers: dict[int, dict[int, tuple[str, Any]]] = {}
        bar = JobProgress(total, self.show_progress, description="compare")
        try:
            for status, index, result in events:
                shard = index // size
                buffers.setdefault(shard, {})[index] = (status, result)
                bar.advance(result["input"]["seconds"] if status == "done" else 0.0)
                first, stop = shard * size, min(len(self.items), (shard + 1) * size)
                if len(buffers[shard]) == stop - first:
                    self._finish_shard(work, journal, shard, [buffers[shard][i] for i in range(first, stop)],
                                       self.items[first:stop], description)
                    del buffers[shard]
        finally:
            bar.close()

    def _finish_shard(self, work: Path, journal: Journal, shard: int, results: list[tuple[str, Any]],
                      items: list[StudyItem], description: dict) -> None:
        rows, inputs, warnings, failed = [], [], [], []
        counts: dict[str, np.ndarray] = {}
        for item, (status, result) in zip(items, results):
            if status == "failed":
                failed.append((item.source, result))
                warnings.append(f"skipped {item.source}: {result}")
                continue
            inputs.append({**result["input"], "listened": item.sampled})
            rows += result["rows"]
            warnings += result["warnings"]
            for label, reason in result["failed"]:
                failed.append((f"{label} on {item.name}", reason))
                warnings.append(f"{label} failed on {item.name}: {reason}")
            for label, array in result["counts"].items():
                counts[label] = counts[label] + array if label in counts else np.asarray(array, dtype=np.int64)
        write_rows(work / f"rows-{shard:05d}.parquet", rows, self.metrics)
        _write_json(work / f"shard-{shard:05d}.json", {
            "inputs": inputs, "warnings": warnings, "failed": failed,
            "counts": {label: array.tolist() for label, array in counts.items()}})
        journal.record(ShardRecord(shard, [i["name"] for i in inputs], failed))


def assemble_table(work: Path, description: dict, metrics: list[MetricInfo], request: StudyRequest,
                   warnings: list[str]) -> ComparisonTable:
    """The study's tables from its journaled shards, in a fixed order whatever engine or run made them."""
    import pyarrow.parquet as pq

    from .summaries import build_table

    journal = Journal(work)
    settings = description["settings"]
    order = {s["codec"]: number for number, s in enumerate(settings)}
    inputs: list[dict] = []
    per_input: list[dict] = []
    counts: dict[str, np.ndarray] = {}
    shard_warnings: list[str] = []
    for shard in sorted(journal.records):
        data = json.loads((work / f"shard-{shard:05d}.json").read_text())
        inputs += data["inputs"]
        shard_warnings += data["warnings"]
        for label, array in data["counts"].items():
            array = np.asarray(array, dtype=np.int64)
            counts[label] = counts[label] + array if label in counts else array
        per_input += pq.read_table(work / f"rows-{shard:05d}.parquet").to_pylist()
    position = {item["name"]: number for number, item in enumerate(inputs)}
    per_input.sort(key=lambda row: (order[row["codec"]], position[row["input"]]))
    if not inputs:
        raise CodecregError("compare could not read any input: " + "; ".join(shard_warnings))
    return build_table(settings, per_input, inputs, counts, metrics, request.seed,
                       warnings + description["warnings"] + shard_warnings)


def _read_study_file(work: Path) -> dict | None:
    path = work / STUDY_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError as error:
        raise StudyMismatchError(f"{path} is not a codecreg study description ({error}); give another --out "
                                 "folder, or remove it to start over") from None


def _write_json(path: Path, data: Any) -> None:
    from ..files.atomic_file import atomic_write_path

    with atomic_write_path(path) as temporary:
        temporary.write_text(json.dumps(data) + "\n", encoding="utf-8")


def _remove_partial_files(work: Path) -> None:
    """Temporary files a killed run left (hidden names: never read)."""
    for leftover in work.rglob(".*"):
        if leftover.is_file():
            with contextlib.suppress(OSError):
                leftover.unlink()


def _remove_created(work: Path, created: list[Path]) -> None:
    if work not in created:  # an earlier run made it: leave it
        return
    shutil.rmtree(work, ignore_errors=True)
    for folder in created[1:]:  # deepest first; the work folder itself is gone
        try:
            folder.rmdir()
        except OSError:
            break
