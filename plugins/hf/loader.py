"""The ``hf`` source's factory: a transformers checkpoint, by Hub repo id or local folder, as a codec.

The model type is read from config.json before torch or transformers is imported,
so an unsupported checkpoint is refused at once. Weights load from safetensors
only, and a checkpoint whose weights do not fill the model is refused rather than
left partly random.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from codecreg import CheckpointError, CompressionModel

from .checkpoint_folder import MODEL_CLASSES, model_type_of, read_config
from .hub import resolve_folder


def load(target: str, revision: str | None = None, device: Any = "cpu") -> CompressionModel:
    """Build the codec ``hf:<target>[@revision]`` names: EnCodec or DAC in transformers' format."""
    folder = resolve_folder(target, revision)
    where = f"hf:{target}" + (f"@{revision}" if revision else "")
    model_type = model_type_of(read_config(folder), where)

    import transformers

    model = _from_pretrained(getattr(transformers, MODEL_CLASSES[model_type]), folder, where)
    if model_type == "encodec":
        from .encodec_codec import TransformersEncodec

        codec: CompressionModel = TransformersEncodec(model)
    else:
        from .dac_codec import TransformersDac

        codec = TransformersDac(model)
    return codec.to(device)


def _from_pretrained(model_class: Any, folder: Any, where: str) -> Any:
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
