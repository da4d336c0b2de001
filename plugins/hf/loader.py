"""The ``hf`` source's factory: a transformers checkpoint, by Hub repo id or local folder, as a codec.

The model type is read from config.json before torch or transformers is imported,
so an unsupported checkpoint is refused at once, and picks the family's adapter.
Weights load from safetensors only, and a checkpoint whose weights do not fill the
model is refused rather than left partly random. Families whose model takes
``input_features`` get their feature extractor from the same folder.
"""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path
from typing import Any, Iterator

from codecreg import CheckpointError, CompressionModel

from .checkpoint_folder import model_type_of, read_config
from .families import FAMILIES
from .hub import resolve_folder

FEATURE_EXTRACTOR_FILE = "preprocessor_config.json"


def load(target: str, revision: str | None = None, device: Any = "cpu") -> CompressionModel:
    """Build the codec ``hf:<target>[@revision]`` names: any model type of FAMILIES in
    transformers' format."""
    folder = resolve_folder(target, revision)
    where = f"hf:{target}" + (f"@{revision}" if revision else "")
    model_type = model_type_of(read_config(folder), where)
    family = FAMILIES[model_type]
    extractor_class = family.feature_extractor
    if extractor_class and not (folder / FEATURE_EXTRACTOR_FILE).is_file():
        raise CheckpointError(
            f"{where}: {folder} has no {FEATURE_EXTRACTOR_FILE}; a {model_type} model encodes input_features "
            f"that its feature extractor ({extractor_class}) computes with the settings in that file. Put the "
            "checkpoint's own file there (the Hub repo has it), or save one with "
            f"`{extractor_class}().save_pretrained(folder)` if the defaults are the checkpoint's"
        )

    import transformers

    model = _from_pretrained(getattr(transformers, family.model_class), folder, where)
    module_name, _, class_name = family.adapter.partition(":")
    adapter = getattr(importlib.import_module(f"{__package__}.{module_name}"), class_name)
    if extractor_class:
        extractor = getattr(transformers, extractor_class).from_pretrained(folder, local_files_only=True)
        codec: CompressionModel = adapter(model, extractor)
    else:
        codec = adapter(model)
    return codec.to(device)


def _from_pretrained(model_class: Any, folder: Path, where: str) -> Any:
    import torch

    if not any(folder.glob("*.safetensors")):
        found = ", ".join(sorted(path.name for path in folder.iterdir())) or "nothing"
        raise CheckpointError(
            f"{where}: {folder} has no .safetensors weights (found: {found}). codecreg loads transformers "
            "weights only from safetensors, never from a pickle; convert them with "
            "`model.save_pretrained(folder, safe_serialization=True)` in a trusted environment"
        )
    try:
        with _no_progress_bars():
            model, info = model_class.from_pretrained(
                folder, local_files_only=True, use_safetensors=True, dtype=torch.float32, output_loading_info=True)
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        raise CheckpointError(f"{where}: transformers could not load {folder}: {error}") from None
    problems = {key: sorted(info.get(key) or ()) for key in ("missing_keys", "mismatched_keys")}
    if any(problems.values()):
        detail = "; ".join(f"{key}: {', '.join(map(str, keys[:5]))}" + (" ..." if len(keys) > 5 else "")
                           for key, keys in problems.items() if keys)
        raise CheckpointError(
            f"{where}: the weights in {folder} do not fit its config.json ({detail}); the checkpoint is "
            "incomplete or its config was edited"
        )
    return model


@contextlib.contextmanager
def _no_progress_bars() -> Iterator[None]:
    """transformers' progress bars ("Loading weights") off for our own call only, then as they
    were: a bar on every build of a codec is noise in a library call."""
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars
    from transformers.utils import logging

    enabled, hub_disabled = logging.is_progress_bar_enabled(), are_progress_bars_disabled()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            logging.enable_progress_bar()  # turns the Hub's bars on too
            if hub_disabled:
                disable_progress_bars()
