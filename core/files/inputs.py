"""Turning command-line inputs (files and folders) into the list of files to process."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import CodecregError

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".aif", ".aiff", ".au", ".wma")


class InputError(CodecregError, ValueError):
    """An input path that does not exist, or two inputs that would overwrite each other's output."""


@dataclass(frozen=True)
class InputFile:
    """A file to process and its path relative to the folder it was found in (its own name if given directly)."""

    path: Path
    relative: Path


def expand_inputs(paths: Iterable[str | os.PathLike], suffixes: tuple[str, ...]) -> tuple[list[InputFile], list[Path]]:
    """Files named directly, plus the files under each folder whose suffix is in ``suffixes``.

    Returns ``(files, skipped)``: ``skipped`` lists the files in folders that were
    left out for their suffix, so the caller can say so. A missing path raises.
    """
    files: list[InputFile] = []
    skipped: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            for path in sorted(p for p in item.rglob("*") if p.is_file()):
                if path.suffix.lower() in suffixes:
                    files.append(InputFile(path, path.relative_to(item)))
                elif not path.name.startswith("."):
                    skipped.append(path)
        elif item.is_file():
            files.append(InputFile(item, Path(item.name)))
        else:
            raise InputError(f"no such file or folder: {str(item)!r}")
    return files, skipped


def output_paths(files: list[InputFile], out_dir: Path, suffix: str) -> list[Path]:
    """Where each input's result goes: its relative path under ``out_dir`` with ``suffix``; clashes raise."""
    outputs = [out_dir / item.relative.with_suffix(suffix) for item in files]
    seen: dict[Path, Path] = {}
    for item, output in zip(files, outputs):
        if output in seen:
            raise InputError(f"{seen[output]} and {item.path} would both be written to {output}; "
                             "give them different names or process them in separate runs")
        seen[output] = item.path
    return outputs


def slug(text: str) -> str:
    """A file-name-safe form of a setting or input name: ``debug?num_codebooks=2`` -> ``debug_num_codebooks-2``."""
    text = text.replace("=", "-")
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return text or "unnamed"
