"""What a ``torch.save`` file holds, read without torch and without unpickling it.

A plugin's ``claims_path`` recognizes its format from this: the zip's member names,
the strings of the pickle (a state dict's keys) and the globals it would import (the
classes of the objects in it), as ``pickletools.genops`` lists its opcodes: a parse,
never an execution. Recognizing is not trusting: the file is still loaded with
``load_torch_file``, which refuses any global that is not allowed.
"""

from __future__ import annotations

import os
import pickletools
import zipfile
from collections import deque
from dataclasses import dataclass
from typing import BinaryIO

#: a state dict's pickle holds names and shapes, never tensor data (a real DAC's: ~50 kB)
PICKLE_LIMIT = 64 * 2 ** 20
#: torch.save before zip files: pickle protocol 2, then a 10-byte magic number
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a"
#: a legacy file is four pickles: the magic number, the protocol, system information, the object
_LEGACY_PICKLES = 4
_MEMO_PUTS = {"PUT", "BINPUT", "LONG_BINPUT"}
_MEMO_GETS = {"GET", "BINGET", "LONG_BINGET"}


@dataclass(frozen=True)
class SniffedTorchFile:
    """A torch file's layout and what its pickle names.

    ``kind`` is ``"zip"`` (torch.save since 1.6, and torch.package archives) or
    ``"legacy"``; ``members`` the zip's member names (empty for legacy files);
    ``strings`` every string constant of the pickle; ``globals`` every ``module.name``
    it would import. Both are empty when the pickle is missing (a zip without one
    ``<archive>/data.pkl``), too large or malformed.
    """

    kind: str
    members: tuple[str, ...] = ()
    strings: frozenset[str] = frozenset()
    globals: frozenset[str] = frozenset()


def sniff_torch_file(path: str | os.PathLike) -> SniffedTorchFile | None:
    """What the file at ``path`` holds, or None when it is neither a zip nor a legacy torch file."""
    path = os.fspath(path)
    try:
        if not os.path.isfile(path):
            return None
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = tuple(archive.namelist())
                pickles = [info for info in archive.infolist()
                           if info.filename.endswith("/data.pkl") and info.filename.count("/") == 1]
                if len(pickles) != 1 or pickles[0].file_size > PICKLE_LIMIT:
                    return SniffedTorchFile("zip", members)
                with archive.open(pickles[0]) as file:
                    return SniffedTorchFile("zip", members, *_names_in(file, pickles=1))
        with open(path, "rb") as file:
            if file.read(len(_LEGACY_MAGIC)) != _LEGACY_MAGIC:
                return None
            file.seek(0)
            return SniffedTorchFile("legacy", (), *_names_in(file, pickles=_LEGACY_PICKLES))
    except (OSError, zipfile.BadZipFile):
        return None


def _names_in(file: BinaryIO, pickles: int) -> tuple[frozenset[str], frozenset[str]]:
    """``(strings, globals)`` of ``pickles`` consecutive pickles; empty if one is malformed."""
    strings: set[str] = set()
    imported: set[str] = set()
    try:
        for _ in range(pickles):
            _walk(file, strings, imported)
            if file.tell() > PICKLE_LIMIT:
                break
    except (ValueError, EOFError):  # genops on bytes that are not a pickle
        return frozenset(), frozenset()
    return frozenset(strings), frozenset(imported)


def _walk(file: BinaryIO, strings: set[str], imported: set[str]) -> None:
    """Collect one pickle's strings and globals. ``STACK_GLOBAL`` takes its module and name
    from the stack: the last two values pushed, strings directly or from the memo, are followed."""
    pushed: deque[str | None] = deque([None, None], maxlen=2)
    memo: dict[int, str | None] = {}
    for opcode, argument, _position in pickletools.genops(file):
        name = opcode.name
        if "UNICODE" in name and isinstance(argument, str):
            strings.add(argument)
            pushed.append(argument)
        elif name in ("GLOBAL", "INST"):
            imported.add(".".join(argument.split(" ", 1)))
            pushed.append(None)
        elif name == "STACK_GLOBAL":
            module, attribute = pushed
            if isinstance(module, str) and isinstance(attribute, str):
                imported.add(f"{module}.{attribute}")
            pushed.append(None)
        elif name == "MEMOIZE":
            memo[len(memo)] = pushed[-1]
        elif name in _MEMO_PUTS:
            memo[int(argument)] = pushed[-1]
        elif name in _MEMO_GETS:
            pushed.append(memo.get(int(argument)))
        else:
            pushed.append(None)
        if file.tell() > PICKLE_LIMIT:
            return
