"""Files written durably: synced to the disk before they count, so that a machine losing
power keeps either the old file whole or the new one whole, never a part.

- `replace`: a file put in place of what was there (a temporary file, fsync, rename over
  it, fsync of the directory).
- `create`: a file that must not exist yet, a key say: the same, but linked into place,
  which fails on a file that exists, where a rename would overwrite it.
- `write_new` and `sync_directory`: the steps, for a caller that renames files itself
  (the mirror, several files under one journal).

OSError is raised as it comes; the caller names the file to its own user.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PUBLIC = 0o666  # what open() gives: the umask decides
SECRET = 0o600  # the owner alone, from the first byte


def replace(path: Path, content: bytes, *, mode: int = PUBLIC) -> None:
    """Put `content` at `path` in place of what is there, whole or not at all."""
    partial = _beside(path)
    try:
        write_new(partial, content, mode=mode)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    sync_directory(path.parent)


def create(path: Path, content: bytes, *, mode: int = SECRET) -> None:
    """Make `path` with `content`, whole or not at all; FileExistsError if it exists, and
    what is there is left untouched."""
    partial = _beside(path)
    try:
        write_new(partial, content, mode=mode)
        os.link(partial, path)  # unlike a rename, refuses a file made meanwhile
    finally:
        partial.unlink(missing_ok=True)
    sync_directory(path.parent)


def write_new(path: Path, content: bytes, *, mode: int = PUBLIC) -> None:
    """Write a file that does not exist yet and sync it; FileExistsError if it does. Not
    in place atomically: a crash may leave part of it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with open(fd, "wb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())


def sync_directory(folder: Path) -> None:
    """Make the names in `folder` (a rename, a new file) last."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _beside(path: Path) -> Path:
    """A fresh name in the same directory, since a rename does not cross file systems."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
