"""Reading checkpoint files without running code from them.

``torch.load(weights_only=True)`` rebuilds tensors and plain containers only; a
file that needs any other Python object is refused, with the reason torch gives,
instead of being unpickled (unpickling can execute arbitrary code).
"""

from __future__ import annotations

import os
import pickle
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


def load_safetensors(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(os.fspath(path))
    except (SafetensorError, OSError) as error:
        raise CheckpointError(f"cannot read {os.fspath(path)!r} as safetensors: {error}") from None
