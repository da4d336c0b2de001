"""Writing a file so that readers see either the old file or the complete new one, never a part.

The data goes to a temporary file in the target's own folder (so the final
rename stays on one filesystem and is atomic) and is renamed over the target
only after the writer returned. On any failure, including Ctrl-C, the
temporary file is removed, the target is left as it was, and folders made for
it are removed again.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def atomic_write_path(target: Path) -> Iterator[Path]:
    """Yield an empty temporary path beside ``target``; rename it onto ``target`` when the block succeeds."""
    target = Path(target)
    temporary = _create_temporary_beside(target)
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


@contextlib.contextmanager
def parent_folders_made(target: Path) -> Iterator[None]:
    """Create ``target``'s missing folders; remove those again if the block fails (when still empty)."""
    missing = []  # deepest first
    folder = Path(target).parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except BaseException:
        for folder in missing:
            with contextlib.suppress(OSError):  # something else has been put there meanwhile
                folder.rmdir()
        raise


def _create_temporary_beside(target: Path) -> Path:
    """A new empty file next to ``target``, hidden, named so it cannot collide with another writer's.

    Created with mode 0o666 so the umask gives the final file the permissions
    of any newly created file (``mkstemp`` would make it private).
    """
    for _ in range(100):
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as error:
            raise OSError(error.errno,
                          f"cannot write to the folder {str(target.parent)!r} ({error.strerror}): "
                          "check that it exists and that you may create files in it, or choose another "
                          "output path") from error
        return candidate
    raise FileExistsError(f"could not find a free temporary name beside {str(target)!r}")
