"""Reading checkpoint files without running code from them.

A safetensors file holds tensors and nothing else. A ``torch.save`` file is a pickle,
and unpickling can run arbitrary code, so it is read with
``torch.load(weights_only=True)``: tensors, plain containers and numbers, plus the
globals a caller allows by name (inert stand-ins, say); any other object is refused
with the reason torch gives, before it is built.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from ..errors import CheckpointError

if TYPE_CHECKING:
    import torch


def load_torch_file(path: str | os.PathLike, allowed: Sequence[Any] = ()) -> Any:
    """``torch.load`` on the CPU restricted to tensors, containers and the ``allowed`` globals
    (``torch.serialization.safe_globals`` entries: objects, or ``(object, "module.name")``)."""
    import pickle

    import torch

    try:
        with torch.serialization.safe_globals(list(allowed)):
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise CheckpointError(
            f"refused to load {os.fspath(path)!r}: it needs Python objects beyond tensors and plain "
            f"containers ({_refusal_reason(error)}), and unpickling them could run arbitrary code. Re-save its "
            "tensors from code you trust (torch.save of a plain state dict, or safetensors) and load that."
        ) from None
    except Exception as error:  # a damaged file can make the unpickler fail in any way (KeyError, EOFError, ...)
        raise CheckpointError(f"cannot read {os.fspath(path)!r} as a torch checkpoint: "
                              f"{type(error).__name__}: {error}") from error


def _refusal_reason(error: Exception) -> str:
    """The one sentence of torch's long refusal that names what was refused
    ("Unsupported global: GLOBAL io.open was not an allowed global by default.")."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    named = next((line for line in lines if "GLOBAL" in line), lines[-1] if lines else "no reason given")
    return re.split(r"(?<=\.) ", named.removeprefix("WeightsUnpickler error: "), maxsplit=1)[0]


def load_safetensors(path: str | os.PathLike) -> Mapping[str, torch.Tensor]:
    """The tensors of a safetensors file, each read from disk only when it is asked for
    (by the safetensors library on a big-endian machine: the file's bytes are little-endian)."""
    if sys.byteorder == "little":
        return SafetensorsFile(path)
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(os.fspath(path))
    except (SafetensorError, OSError) as error:
        raise CheckpointError(f"cannot read {os.fspath(path)!r} as safetensors: {error}") from None


class SafetensorsFile(Mapping):
    """A safetensors file as a mapping whose values are read on access into memory of their own.

    Why not ``safetensors.torch.load_file``: its tensors are views of one mapping of the
    whole file, whose pages stay resident while any view lives, so copying the weights
    into a model (folding weight norm) held them twice. Here a tensor read, used and
    dropped costs nothing more, and no tensor depends on the file after it is read
    (overwriting the file cannot corrupt a loaded model). Each access reads the file
    again: take each tensor once. The header is read without torch.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self._entries, self._data_start = _read_header(self.path)

    def __getitem__(self, key: str) -> torch.Tensor:
        import torch

        dtype, shape, begin, end = self._entries[key]
        raw = torch.empty(end - begin, dtype=torch.uint8)
        with open(self.path, "rb") as file:
            file.seek(self._data_start + begin)
            if file.readinto(raw.numpy()) != end - begin:
                raise CheckpointError(f"{self.path!r} ends inside tensor {key!r}: the file is truncated")
        return raw.view(getattr(torch, dtype)).reshape(shape)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


#: safetensors dtype -> (torch's name for it, bytes per element)
_DTYPES = {"F64": ("float64", 8), "F32": ("float32", 4), "F16": ("float16", 2), "BF16": ("bfloat16", 2),
           "I64": ("int64", 8), "I32": ("int32", 4), "I16": ("int16", 2), "I8": ("int8", 1), "U8": ("uint8", 1),
           "BOOL": ("bool", 1)}
_MAX_HEADER = 100 * 2 ** 20


def _read_header(path: str) -> tuple[dict[str, tuple[str, tuple[int, ...], int, int]], int]:
    """``({name: (torch dtype name, shape, begin, end)}, data start)`` from the file's JSON header,
    every entry checked against the file's size, as the safetensors library checks it."""
    def refuse(why: str) -> CheckpointError:
        return CheckpointError(f"cannot read {path!r} as safetensors: {why}")

    try:
        size = os.path.getsize(path)
        with open(path, "rb") as file:
            length = int.from_bytes(file.read(8), "little")
            if not 2 <= length <= min(_MAX_HEADER, size - 8):
                raise refuse(f"its header length {length} does not fit a file of {size} bytes")
            header = json.loads(file.read(length))
    except OSError as error:
        raise refuse(str(error)) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise refuse(f"its header is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise refuse("its header is not a JSON object")
    data_size = size - 8 - length
    entries = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            (dtype, itemsize), shape = _DTYPES[info["dtype"]], tuple(int(n) for n in info["shape"])
            begin, end = (int(n) for n in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise refuse(f"tensor {name!r} has no valid dtype ({', '.join(_DTYPES)}), shape and data_offsets") from None
        if not (0 <= begin <= end <= data_size and end - begin == math.prod(shape) * itemsize):
            raise refuse(f"tensor {name!r} ({info['dtype']} {list(shape)}) does not fit bytes {begin}..{end} "
                         f"of {data_size}")
        entries[name] = (dtype, shape, begin, end)
    return entries, 8 + length
