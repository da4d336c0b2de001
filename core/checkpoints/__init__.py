"""What every plugin needs to get weights onto this machine and read them safely.

- ``cache_folder(area)``: ``$CODECREG_CACHE/<area>``, where downloads go;
- ``offline_reason()``: the one switch, ``CODECREG_OFFLINE=1`` (and, for the Hub,
  ``HF_HUB_OFFLINE``), that every download below obeys;
- ``fetch(url, area)``: a URL into the cache, complete and hash-checked or not at all;
- ``hub_file`` / ``hub_snapshot``: the Hugging Face Hub through its cache, failing fast
  when the Hub cannot be reached, with one message for what is not cached;
- ``hub_snapshot_cached``: whether a repo is in the Hub cache, for listing;
- ``load_torch_file`` / ``load_safetensors``: tensors and plain data, never code;
- ``sniff_torch_file``: what a ``torch.save`` file's pickle names, without running it.

Importing this package imports neither torch nor huggingface_hub (listing imports it
for ``hub_snapshot_cached``): each function imports them when it is called.
"""

from .cache import CACHE_VARIABLE, OFFLINE_VARIABLE, cache_folder, offline_reason
from .download import fetch, hash_in_name, sha256_of
from .hub import hub_file, hub_snapshot, hub_snapshot_cached
from .safe_loading import SafetensorsFile, load_safetensors, load_torch_file
from .sniffing import SniffedTorchFile, sniff_torch_file

__all__ = [
    "CACHE_VARIABLE", "OFFLINE_VARIABLE", "SafetensorsFile", "SniffedTorchFile", "cache_folder", "fetch",
    "hash_in_name", "hub_file", "hub_snapshot", "hub_snapshot_cached", "load_safetensors", "load_torch_file",
    "offline_reason", "sha256_of", "sniff_torch_file",
]
