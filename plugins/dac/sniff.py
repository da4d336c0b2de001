"""Recognizing a DAC checkpoint file without torch and without unpickling anything.

``torch.save`` writes a zip whose ``<archive>/data.pkl`` holds the pickled object;
``codecreg.checkpoints.sniff_torch_file`` lists its member names and the pickle's
strings (the dictionary keys) without executing a single opcode. The ``dac``
package writes two kinds of file:

- ``DAC.save(path, package=False)`` (the published weights): ``{"state_dict": ...,
  "metadata": {"kwargs": {...}}}``, plain data, loadable safely;
- ``DAC.save(path)`` (its default): a ``torch.package`` archive, which holds the
  model as pickled code and the source to run it (``<archive>/DAC/DAC.pth``).

Both are claimed, so that the second is refused with a reason rather than
"unknown format".
"""

from __future__ import annotations

from codecreg.checkpoints import sniff_torch_file

WEIGHTS = "weights"
PACKAGE = "package"

#: keys that only a DAC weights file has all of: the file's top level and DAC's keyword arguments
_DAC_KEYS = frozenset({"state_dict", "metadata", "kwargs", "encoder_rates", "decoder_rates", "n_codebooks"})


def is_dac_checkpoint(path: str) -> bool:
    """The ``claims_path`` sniffer of the ``dac`` source."""
    return checkpoint_kind(path) is not None


def checkpoint_kind(path: str) -> str | None:
    """``WEIGHTS``, ``PACKAGE`` or None when ``path`` is not a DAC checkpoint."""
    sniffed = sniff_torch_file(path)
    if sniffed is None or sniffed.kind != "zip":
        return None
    if any(name.endswith("/DAC/DAC.pth") for name in sniffed.members):
        return PACKAGE
    return WEIGHTS if _DAC_KEYS <= sniffed.strings else None
