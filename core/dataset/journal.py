"""The done-journal, the errors table and the lock of a dataset folder: what makes a job resumable.

After a shard is renamed into place, one JSON line naming its shard, the ids it
holds and the inputs that failed is appended to ``_journal.jsonl`` and synced.
A rerun skips the shards the journal names and redoes the others (a shard
renamed but not yet journaled is simply written again, identically). A line cut
short by ``kill -9`` is dropped. ``_errors.csv`` (``source``, ``reason``) is
rewritten from the journal, atomically, whenever failures were added.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..files.atomic_file import atomic_write_path
from ..errors import CodecregError

JOURNAL_FILE = "_journal.jsonl"
ERRORS_FILE = "_errors.csv"
LOCK_FILE = "_lock"


@dataclass
class ShardRecord:
    shard: int
    ids: list[str]
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)


class Journal:
    """The shards of one dataset folder that are complete, read once and appended to as shards finish."""

    def __init__(self, folder: Path):
        self.path = folder / JOURNAL_FILE
        self.errors_path = folder / ERRORS_FILE
        self.records: dict[int, ShardRecord] = {}
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        data = self.path.read_bytes()
        complete = data[:data.rfind(b"\n") + 1]  # a last line without its newline was cut short
        if len(complete) != len(data):
            with open(self.path, "r+b") as handle:
                handle.truncate(len(complete))
        for line in complete.decode().splitlines():
            entry = json.loads(line)
            self.records[entry["shard"]] = ShardRecord(entry["shard"], entry["ids"],
                                                       [tuple(pair) for pair in entry["failed"]])

    def record(self, entry: ShardRecord) -> None:
        """Note shard ``entry.shard`` as complete (after its file was renamed into place)."""
        line = json.dumps({"shard": entry.shard, "ids": entry.ids, "failed": entry.failed}) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        self.records[entry.shard] = entry
        if entry.failed:
            self.write_errors_table()

    def failures(self) -> list[tuple[str, str]]:
        return [pair for shard in sorted(self.records) for pair in self.records[shard].failed]

    def write_errors_table(self) -> None:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["source", "reason"])
        writer.writerows(self.failures())
        with atomic_write_path(self.errors_path) as temporary:
            temporary.write_text(text.getvalue(), encoding="utf-8")


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock for the job, so two jobs never write one dataset; the OS frees it on kill."""
    with open(folder / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CodecregError(f"another codecreg job (tokenize or compare) is writing {folder}; wait for it to "
                                "finish or stop it, then rerun this one") from None
        yield


def remove_partial_shards(folder: Path) -> None:
    """Delete temporary shard files a killed job left behind (never read: their names start with '.')."""
    for leftover in folder.glob(".shard-*.partial"):
        leftover.unlink(missing_ok=True)
