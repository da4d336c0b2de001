"""Writing a file so that readers see either the old file or the complete new one, never a part.

The data goes to a temporary file in the target's own folder (so the final
rename stays on one filesystem and is atomic) and is renamed over the target
only after the writer returned. A symbolic link at the target is written
through: the file it points to is replaced, in that file's folder. A file
replaced keeps its permission bits; anything but a regular file is refused
(``output_path.file_to_replace``). On any failure, including Ctrl-C, the
temporary file is removed, the target is left as it was, and folders made for
it are removed again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import Iterator

from .output_path import OutputPathError, file_to_replace, name_max

log = logging.getLogger(__name__)


@contextlib.contextmanager
def atomic_write_path(target: Path) -> Iterator[Path]:
    """Yield an empty temporary path beside ``target``; rename it onto ``target`` when the block succeeds.

    ``target`` may be a symbolic link: the file it points to is the one replaced.
    """
    target = file_to_replace(Path(target))
    temporary = _create_temporary_beside(target)
    try:
        yield temporary
        _keep_mode_of(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


@contextlib.contextmanager
def parent_folders_made(target: Path) -> Iterator[None]:
    """Create ``target``'s missing folders; remove those again if the block fails (when still empty)."""
    parent = file_to_replace(Path(target)).parent  # through a symbolic link: the folders of its target
    missing = []  # deepest first
    folder = parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
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
    limit = name_max(target.parent)
    for _ in range(100):
        candidate = target.with_name(_temporary_name(target.name, secrets.token_hex(6), limit))
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as error:
            raise OutputPathError(f"cannot write to the folder {str(target.parent)!r} ({error.strerror}): "
                                  "check that it exists and that you may create files in it, or choose another "
                                  "output path") from error
        return candidate
    raise FileExistsError(f"could not find a free temporary name beside {str(target)!r}")


def _temporary_name(name: str, token: str, limit: int) -> str:
    """``.name.token.partial``, ``name`` cut (at a byte: Linux takes any bytes) to stay within ``limit`` bytes.

    So any final name the file system accepts has a temporary name it accepts too.
    """
    tail = f".{token}.partial"
    room = limit - 1 - len(tail)
    return "." + os.fsdecode(os.fsencode(name)[:room]) + tail


def _keep_mode_of(target: Path, temporary: Path) -> None:
    """Give ``temporary`` the permission bits of the file it replaces; warn when that file had other names."""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        return
    os.chmod(temporary, stat.S_IMODE(existing.st_mode))
    if existing.st_nlink > 1:
        log.warning("%s had %d hard links; it is replaced by a new file, and its other names keep the old content",
                    target, existing.st_nlink)
