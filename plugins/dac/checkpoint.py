"""Loading DAC's own checkpoint format as plain data, never as code.

The package's ``DAC.load`` first tries the file as a ``torch.package`` (running the
code inside), then falls back to a full ``torch.load``, and loads the state dict
with ``strict=False``. Here the file is read with ``codecreg.checkpoints.load_torch_file``
(``torch.load(weights_only=True)``), which accepts tensors, dicts, lists and numbers and
refuses any other object, and every weight must match the model built from the file's
own keyword arguments.
"""

from __future__ import annotations

import inspect
import os
import warnings
from typing import Any

import torch

from codecreg import CheckpointError
from codecreg.checkpoints import load_torch_file

from .sniff import PACKAGE, WEIGHTS, checkpoint_kind


def load_native_model(path: str | os.PathLike):
    """Our ``NativeDac`` holding the weights stored at ``path`` (weight norm folded), in eval mode
    on the CPU; the ``dac`` package is not imported."""
    from .native import NativeDac, build_native

    kwargs, state_dict = read_checkpoint(path, accepted=inspect.signature(NativeDac).parameters)
    try:
        return build_native(kwargs, state_dict)
    except (RuntimeError, KeyError) as error:
        raise CheckpointError(f"{path}: the weights do not fit the model its metadata describes: {error}") from None


def load_dac_model(path: str | os.PathLike):
    """The ``dac.DAC`` stored at ``path``, in eval mode on the CPU.

    The model is built on the meta device and the loaded tensors are assigned to
    it: random initialization of 76M parameters would take seconds only to be
    overwritten. ``strict`` loading leaves no parameter unassigned.
    """
    import dac

    kwargs, state_dict = read_checkpoint(path, accepted=inspect.signature(dac.DAC).parameters)
    with torch.device("meta"), warnings.catch_warnings():
        # the package's layers call the deprecated torch.nn.utils.weight_norm: its warning on
        # every build says nothing the user can act on
        warnings.filterwarnings("ignore", message=r".*torch\.nn\.utils\.weight_norm", category=FutureWarning)
        model = dac.DAC(**kwargs)
    try:
        model.load_state_dict(state_dict, strict=True, assign=True)
    except RuntimeError as error:
        raise CheckpointError(f"{path}: the weights do not fit the model its metadata describes: {error}") from None
    return model.eval()


def read_checkpoint(path: str | os.PathLike, accepted) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """``(keyword arguments of dac.DAC, state dict)`` from a file written by ``DAC.save(path, package=False)``;
    ``accepted``: the parameter names of the model to build (others are left out, as ``DAC.load`` does)."""
    path = os.fspath(path)
    kind = checkpoint_kind(path)
    if kind == PACKAGE:
        raise CheckpointError(
            f"{path} is a torch.package archive (what DAC.save writes by default): it holds the model "
            "as pickled code, which codecreg never runs. Re-save the model as plain weights with "
            "model.save(path, package=False), from a process where you trust the archive."
        )
    if kind != WEIGHTS:
        raise CheckpointError(
            f"{path} is not a DAC checkpoint: expected a torch.save zip holding 'state_dict' and "
            "'metadata' with DAC's 'kwargs', as DAC.save(path, package=False) writes"
        )
    content = load_torch_file(path)
    return _model_kwargs(path, content, accepted), _state_dict(path, content)


def _model_kwargs(path: str, content: Any, accepted) -> dict[str, Any]:
    metadata = content.get("metadata") if isinstance(content, dict) else None
    kwargs = metadata.get("kwargs") if isinstance(metadata, dict) else None
    if not isinstance(kwargs, dict):
        raise CheckpointError(f"{path}: no 'metadata' -> 'kwargs' with the model's keyword arguments")
    # Like DAC.load: keys the model does not take (from other versions) are left out.
    return {key: value for key, value in kwargs.items() if key in accepted}


def _state_dict(path: str, content: dict[str, Any]) -> dict[str, torch.Tensor]:
    state_dict = content.get("state_dict")
    if not isinstance(state_dict, dict) or not all(isinstance(v, torch.Tensor) for v in state_dict.values()):
        raise CheckpointError(f"{path}: 'state_dict' is not a mapping of parameter names to tensors")
    return state_dict
