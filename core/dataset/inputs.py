"""What to tokenize: folders, globs, manifests and Hugging Face-layout Parquet files -> ordered items.

Every input is resolved up front, before any work, so that a missing file, a
manifest row without ``path`` or two inputs with one ``id`` are refused with a
message that names them. The order of the items is the order of the inputs
(folders sorted), and it alone fixes which shard holds which item.
"""

from __future__ import annotations

import csv
import glob
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..files.inputs import AUDIO_SUFFIXES, InputError, expand_inputs

MANIFEST_SUFFIXES = (".jsonl", ".csv")
PARQUET_SUFFIX = ".parquet"


@dataclass(frozen=True)
class Item:
    """One input of a dataset: an audio file, a segment of one (seconds), or a row of a Parquet file."""

    id: str
    path: str
    start: float | None = None
    end: float | None = None
    row: int | None = None  # a Parquet input's row; its audio column holds the bytes
    column: str | None = None
    #: a manifest's or Parquet file's ``category`` column, or the first folder level of a folder or glob
    #: input (empty for a file at its top); ``codecreg compare`` summarizes per category
    category: str = ""

    @property
    def source(self) -> str:
        """How the errors table names this input."""
        if self.row is not None:
            return f"{self.path}#{self.row}"
        if self.start is not None or self.end is not None:
            return f"{self.path}@{self.start or 0:g}-{'' if self.end is None else f'{self.end:g}'}"
        return self.path


def collect_items(inputs: list[str | os.PathLike]) -> tuple[list[Item], list[Path]]:
    """The items of ``inputs`` in order, and the files in folders left out for their suffix."""
    items: list[Item] = []
    skipped: list[Path] = []
    for given in map(str, inputs):
        suffix = Path(given).suffix.lower()
        if glob.has_magic(given):
            items += _glob_items(given)
        elif Path(given).is_file() and suffix in MANIFEST_SUFFIXES:
            items += _manifest_items(Path(given))
        elif Path(given).is_file() and suffix == PARQUET_SUFFIX:
            items += _parquet_items(Path(given))
        else:
            files, left_out = expand_inputs([given], AUDIO_SUFFIXES)
            items += [Item(file.relative.as_posix(), str(file.path), category=folder_category(file.relative))
                      for file in files]
            skipped += left_out
    _refuse_duplicate_ids(items)
    return items, skipped


def _glob_items(pattern: str) -> list[Item]:
    """Audio files matching ``pattern`` (``**`` recursive), ids relative to its folder before any wildcard."""
    parts = Path(pattern).parts
    fixed = next(index for index, part in enumerate(parts) if glob.has_magic(part))
    base = Path(*parts[:fixed]) if fixed else Path(".")
    paths = sorted(Path(p) for p in glob.glob(pattern, recursive=True)
                   if Path(p).is_file() and Path(p).suffix.lower() in AUDIO_SUFFIXES)
    if not paths:
        raise InputError(f"no audio files match {pattern!r}; check the pattern (quote it so the shell "
                         "leaves it to codecreg, and use ** for subfolders)")
    return [Item(path.relative_to(base).as_posix(), str(path), category=folder_category(path.relative_to(base)))
            for path in paths]


def folder_category(relative: Path) -> str:
    """The first folder level of a path relative to the folder given: ``speech/a.wav`` -> ``speech``."""
    return relative.parts[0] if len(relative.parts) > 1 else ""


def _manifest_items(manifest: Path) -> list[Item]:
    """Rows of a JSONL or CSV manifest: ``path`` (relative to the manifest's folder), optional ``id``,
    ``start`` and ``end`` in seconds, and ``category``."""
    rows = _manifest_rows(manifest)
    items = []
    for number, row in enumerate(rows, start=1):
        where = f"{manifest}, row {number}"
        if not row.get("path"):
            raise InputError(f"{where} has no 'path'; every row needs one (optional: id, start, end in seconds)")
        path = Path(row["path"]) if os.path.isabs(row["path"]) else manifest.parent / row["path"]
        if not path.is_file():
            raise InputError(f"{where}: no such file {str(path)!r} (paths are relative to the manifest's folder)")
        start, end = (_seconds(row.get(key), key, where) for key in ("start", "end"))
        if start is not None and end is not None and end <= start:
            raise InputError(f"{where}: end ({end:g} s) must be after start ({start:g} s)")
        item = Item("", str(path), start, end)
        items.append(Item(str(row.get("id") or "") or _default_id(row["path"], item), str(path), start, end,
                          category=str(row.get("category") or "")))
    return items


def _manifest_rows(manifest: Path) -> list[dict]:
    text = manifest.read_text(encoding="utf-8")
    if manifest.suffix.lower() == ".csv":
        return list(csv.DictReader(text.splitlines()))
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise InputError(f"{manifest}, line {number} is not JSON ({error.msg}); "
                                 'write one object per line: {"path": "a.wav", "start": 0, "end": 10}') from None
    return rows


def _seconds(value, key: str, where: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {key} must be a number of seconds, got {value!r}") from None
    if not seconds >= 0:
        raise InputError(f"{where}: {key} must be at least 0 seconds, got {value!r}")
    return seconds


def _default_id(written_path: str, item: Item) -> str:
    if item.start is None and item.end is None:
        return Path(written_path).as_posix()
    return f"{Path(written_path).as_posix()}@{item.start or 0:g}-{'' if item.end is None else f'{item.end:g}'}"


def _parquet_items(path: Path) -> list[Item]:
    """Rows of a Parquet file holding audio in Hugging Face ``datasets``' layout: a struct column with
    ``bytes`` and ``path``; the id is an ``id`` column, else the audio's path, else ``FILE#ROW``."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    column = audio_column(schema, path)
    id_column = "id" if "id" in schema.names else None
    if id_column:
        ids = [str(value) for value in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
    else:
        audio_paths = pq.read_table(path, columns=[f"{column}.path"]).column(0)  # the paths, not the bytes
        ids = [value or f"{path.name}#{row}" for row, value in enumerate(audio_paths.to_pylist())]
    categories = ([str(value or "") for value in pq.read_table(path, columns=["category"]).column(0).to_pylist()]
                  if "category" in schema.names else [""] * len(ids))
    return [Item(ids[row], str(path), row=row, column=column, category=categories[row]) for row in range(len(ids))]


def audio_column(schema, path: Path) -> str:
    """The name of the first column of ``schema`` shaped like ``datasets``' Audio feature."""
    import pyarrow as pa

    for field in schema:
        if pa.types.is_struct(field.type) and {"bytes", "path"} <= {child.name for child in field.type}:
            return field.name
    raise InputError(f"{path} has no audio column in Hugging Face datasets' layout (a struct of 'bytes' and "
                     f"'path'); its columns are {', '.join(schema.names)}")


def _refuse_duplicate_ids(items: list[Item]) -> None:
    seen: dict[str, Item] = {}
    for item in items:
        if item.id in seen:
            raise InputError(f"two inputs have the id {item.id!r} ({seen[item.id].source} and {item.source}); "
                             "ids must be unique: give folders that do not overlap, or ids in a manifest")
        seen[item.id] = item
