"""Placing a DAC checkpoint where the dac plugin looks for a registered name's weights.

The seeded models themselves are the plugin's test weights (``codecreg_dac.test_weights``:
``seeded_dac(dac_config(name, size))``, or ``codecreg.testing.checkpoint_folder(name, size)``
for the cached file).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from codecreg_dac.variants import PUBLISHED


def put_in_dac_cache(checkpoint: str | os.PathLike, name: str, cache_root: str | os.PathLike | None = None) -> Path:
    """Place ``checkpoint`` where the dac plugin looks for ``name``'s weights (hard link, or a copy).

    ``cache_root`` defaults to ``$CODECREG_CACHE`` (a temp dir in tests, set by tests/conftest.py).
    """
    root = Path(cache_root if cache_root is not None else os.environ["CODECREG_CACHE"])
    target = root / "dac" / PUBLISHED[name].filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(checkpoint, target)
    except OSError:
        shutil.copyfile(checkpoint, target)
    return target
