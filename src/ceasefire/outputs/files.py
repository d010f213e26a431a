"""Files the commands write (exports, bulletins, rejects, simulations): whole or not at
all, and a failed write, a full disk say, is an error that names the file.

A regular file, or a new one, is written beside its target under a fresh name and
renamed over it at the end: a reader never sees half of it, a failure leaves the target
as it was and removes only the file made here. Anything else, a device such as
/dev/stdout or a pipe, is written directly: it cannot be renamed over, and replacing it
with a file would be wrong.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from ceasefire.errors import StorageUnavailable


def cannot_write(path: Path, exc: OSError) -> StorageUnavailable:
    return StorageUnavailable(f"cannot write: {exc.strerror or exc}", source=str(path))


class Output:
    """A file being written: a write that fails raises the error of `cannot_write`."""

    def __init__(self, stream: IO[Any], path: Path) -> None:
        self._stream = stream
        self.path = path

    def write(self, data: Any) -> int:
        try:
            return self._stream.write(data)
        except OSError as exc:
            raise cannot_write(self.path, exc) from exc

    def writelines(self, lines: Iterable[Any]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Write out what is buffered: a full disk shows here at the latest."""
        try:
            self._stream.flush()
        except OSError as exc:
            raise cannot_write(self.path, exc) from exc


@contextmanager
def written(path: Path, *, binary: bool = False) -> Iterator[Output]:
    """Write `path`, text (UTF-8, newlines as given) or `binary`, whole or not at all."""
    direct = path.exists() and not path.is_file()
    temporary = None if direct else path.with_name(
        f".{path.name}.{secrets.token_hex(4)}.partial")
    target = path if temporary is None else temporary
    mode = "wb" if binary else "w"
    encoding, newline = (None, None) if binary else ("utf-8", "")
    try:
        if temporary is None:
            stream = target.open(mode, encoding=encoding, newline=newline)
        else:  # a fresh name, never a file someone else made
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            stream = os.fdopen(descriptor, mode, encoding=encoding, newline=newline)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    output = Output(stream, path)
    try:
        try:
            yield output
            output.flush()
        except BaseException:
            _close_after_failure(stream)
            raise
        try:
            stream.close()
        except OSError as exc:
            raise cannot_write(path, exc) from exc
        if temporary is not None:
            try:
                temporary.replace(path)
            except OSError as exc:
                raise cannot_write(path, exc) from exc
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise


def _close_after_failure(stream: IO[Any]) -> None:
    with suppress(OSError):  # closing flushes again what could not be written
        stream.close()
