"""Recognizing a DAC checkpoint file without torch and without unpickling anything.

``torch.save`` writes a zip whose ``<archive>/data.pkl`` holds the pickled object;
reading its opcodes with ``pickletools.genops`` shows the dictionary keys without
executing a single one. The ``dac`` package writes two kinds of file:

- ``DAC.save(path, package=False)`` (the published weights): ``{"state_dict": ...,
  "metadata": {"kwargs": {...}}}``, plain data, loadable safely;
- ``DAC.save(path)`` (its default): a ``torch.package`` archive, which holds the
  model as pickled code and the source to run it (``<archive>/DAC/DAC.pth``).

Both are claimed, so that the second is refused with a reason rather than
"unknown format".
"""

from __future__ import annotations

import os
import pickletools
import zipfile

WEIGHTS = "weights"
PACKAGE = "package"

#: keys that only a DAC weights file has all of: the file's top level and DAC's keyword arguments
_DAC_KEYS = frozenset({"state_dict", "metadata", "kwargs", "encoder_rates", "decoder_rates", "n_codebooks"})
_MAX_PICKLE_BYTES = 64 << 20  # the pickle of a real DAC is ~50 kB; tensors live in other members


def is_dac_checkpoint(path: str) -> bool:
    """The ``claims_path`` sniffer of the ``dac`` source."""
    return checkpoint_kind(path) is not None


def checkpoint_kind(path: str) -> str | None:
    """``WEIGHTS``, ``PACKAGE`` or None when ``path`` is not a DAC checkpoint."""
    try:
        if not os.path.isfile(path) or not zipfile.is_zipfile(path):
            return None
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if any(name.endswith("/DAC/DAC.pth") for name in names):
                return PACKAGE
            pickles = [name for name in names if name.endswith("/data.pkl") and name.count("/") == 1]
            if len(pickles) != 1 or archive.getinfo(pickles[0]).file_size > _MAX_PICKLE_BYTES:
                return None
            strings = _pickled_strings(archive.read(pickles[0]))
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    return WEIGHTS if _DAC_KEYS <= strings else None


def _pickled_strings(data: bytes) -> set[str]:
    return {argument for _, argument, _ in pickletools.genops(data) if isinstance(argument, str)}
