"""A progress bar for multi-item work, and messages that do not break it.

tqdm draws the bar when it is installed and stderr is a terminal; otherwise the
work runs without one. Messages go through ``tqdm.write`` so a bar stays intact.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterable, Iterator, TypeVar

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


@contextlib.contextmanager
def seconds_progress(description: str, shortest: float = 60.0) -> Iterator[Callable[[float, float | None], None]]:
    """A bar in seconds of audio inside one file, for files of at least ``shortest`` seconds: yields
    ``advance(seconds, total)``, to be called as each block of the file is done."""
    bar = None

    def advance(seconds: float, total: float | None) -> None:
        nonlocal bar
        if bar is None:
            bar = False
            if total is not None and total >= shortest:
                try:
                    from tqdm.auto import tqdm
                except ImportError:
                    return
                bar = tqdm(total=round(total, 1), desc=description, unit="s", unit_scale=True, leave=False,
                           file=sys.stderr, disable=None, dynamic_ncols=True,
                           bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s of audio "
                                      "[{elapsed}<{remaining}, {rate_fmt}]")
        if bar:
            bar.update(seconds)

    try:
        yield advance
    finally:
        if bar:
            bar.close()


def report(message: str) -> None:
    """Print ``message`` to stderr without breaking a progress bar."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        print(message, file=sys.stderr)
        return
    tqdm.write(message, file=sys.stderr)
