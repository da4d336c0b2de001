"""Reading checkpoint files without running code from them.

``torch.load(weights_only=True)`` rebuilds tensors and plain containers only; a
file that needs any other Python object is refused, with the reason torch gives,
instead of being unpickled (unpickling can execute arbitrary code).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import sys
from collections.abc import Mapping
from typing import Any, Sequence

import torch

from codecreg import CheckpointError


def load_torch_file(path: str | os.PathLike, allowed: Sequence[Any] = ()) -> Any:
    """``torch.load`` restricted to tensors, containers and the ``allowed`` globals."""
    try:
        with torch.serialization.safe_globals(list(allowed)):
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        reason = str(error).strip().splitlines()
        detail = next((line for line in reason if "GLOBAL" in line or "Unsupported" in line), reason[0] if reason else "")
        raise CheckpointError(
            f"refused to load {os.fspath(path)!r}: it needs Python objects beyond tensors and plain "
            f"containers ({detail.strip()}), and unpickling them could run arbitrary code. Re-save its "
            "tensors from code you trust (torch.save of a plain state dict, or safetensors) and load that."
        ) from None
    except (RuntimeError, EOFError, OSError) as error:
        raise CheckpointError(f"cannot read {os.fspath(path)!r} as a torch checkpoint: {error}") from None


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
    again: take each tensor once.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self._entries, self._data_start = _read_header(self.path)

    def __getitem__(self, key: str) -> torch.Tensor:
        dtype, shape, begin, end = self._entries[key]
        raw = torch.empty(end - begin, dtype=torch.uint8)
        with open(self.path, "rb") as file:
            file.seek(self._data_start + begin)
            if file.readinto(raw.numpy()) != end - begin:
                raise CheckpointError(f"{self.path!r} ends inside tensor {key!r}: the file is truncated")
        return raw.view(dtype).reshape(shape)

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
           "BOOL": torch.bool}
_MAX_HEADER = 100 * 2 ** 20


def _read_header(path: str) -> tuple[dict[str, tuple[torch.dtype, tuple[int, ...], int, int]], int]:
    """``({name: (dtype, shape, begin, end)}, data start)`` from the file's JSON header, every
    entry checked against the file's size, as the safetensors library checks it."""
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
            dtype, shape = _DTYPES[info["dtype"]], tuple(int(n) for n in info["shape"])
            begin, end = (int(n) for n in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise refuse(f"tensor {name!r} has no valid dtype ({', '.join(_DTYPES)}), shape and data_offsets") from None
        if not (0 <= begin <= end <= data_size and end - begin == math.prod(shape) * dtype.itemsize):
            raise refuse(f"tensor {name!r} ({info['dtype']} {list(shape)}) does not fit bytes {begin}..{end} "
                         f"of {data_size}")
        entries[name] = (dtype, shape, begin, end)
    return entries, 8 + length
