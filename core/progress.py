"""A progress bar for multi-item work, and messages that do not break it.

tqdm draws the bar when it is installed and stderr is a terminal; otherwise the
work runs without one. Messages go through ``tqdm.write`` so a bar stays intact.
"""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], total: int | None = None, description: str = "", unit: str = "file") -> Iterator[T]:
    """Iterate over ``items`` with a bar when there is more than one of them."""
    total = total if total is not None else (len(items) if hasattr(items, "__len__") else None)
    try:
        from tqdm.auto import tqdm
    except ImportError:
        yield from items
        return
    with tqdm(items, total=total, desc=description, unit=unit, file=sys.stderr,
              disable=None if (total or 0) > 1 else True, dynamic_ncols=True) as bar:
        yield from bar


def report(message: str) -> None:
    """Print ``message`` to stderr without breaking a progress bar."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        print(message, file=sys.stderr)
        return
    tqdm.write(message, file=sys.stderr)
