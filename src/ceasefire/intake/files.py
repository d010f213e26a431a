"""Reading import files as a stream of numbered lines or CSV records.

Every fault names its line: bytes that are not UTF-8, a record with too few fields (a
truncated last line), an empty file. Lines are decoded one at a time, so a 1 GB file
needs no more memory than a short one.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from ceasefire.errors import InvalidInput

_BOM = b"\xef\xbb\xbf"


class LineReader:
    """The decoded lines of a file, numbered from 1; ``position`` is the bytes read."""

    def __init__(self, path: Path, stream: BinaryIO) -> None:
        self.source = str(path)
        self._stream = stream
        self.sha256 = hashlib.sha256()  # of the bytes read: which file version was imported
        self.position = 0
        self.line = 0
        self.size = path.stat().st_size

    def __iter__(self) -> Iterator[str]:
        for raw in self._stream:
            self.line += 1
            self.position += len(raw)
            self.sha256.update(raw)
            if self.line == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    f"not UTF-8: byte 0x{raw[exc.start]:02x} at character {exc.start + 1}"
                    f"{_guess(raw)}; save the file as UTF-8", source=self.source,
                    line=self.line, field=self.column_at(raw, exc.start)) from None


    # Set by a CSV reader, so an encoding error can name its column.
    header: list[str] | None = None

    def column_at(self, raw: bytes, offset: int) -> str:
        if self.header is None:
            return "encoding"
        cells = next(csv.reader([raw[:offset].decode("utf-8", "replace")]), [""])
        index = max(len(cells) - 1, 0)
        return self.header[index] if index < len(self.header) else "encoding"


def _guess(raw: bytes) -> str:
    best = from_bytes(raw).best()
    return f" (it looks like {best.encoding})" if best is not None else ""


class CsvReader:
    """CSV records as dicts by header, each with the line it starts on."""

    def __init__(self, lines: LineReader, *, dialect: type[csv.Dialect] = csv.excel) -> None:
        self.lines = lines
        self._reader = csv.reader(iter(lines), dialect=dialect)
        try:
            self.header = [h.strip() for h in next(self._reader)]
            lines.header = self.header
        except StopIteration:
            raise InvalidInput("the file is empty", source=lines.source, line=1,
                               field="header") from None
        except csv.Error as exc:
            raise InvalidInput(f"not valid CSV: {exc}", source=lines.source, line=1) from exc
        self.line = 1

    def require(self, columns: tuple[str, ...]) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise InvalidInput(f"missing column(s) {', '.join(missing)}", source=self.lines.source,
                               line=1, field=missing[0])

    def __iter__(self) -> Iterator[tuple[int, list[str], InvalidInput | None]]:
        """(line, record, problem): a record with the wrong number of fields comes with its
        problem, so the caller may reject it and read on."""
        width = len(self.header)
        while True:
            start = self.lines.line + 1
            try:
                record = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InvalidInput(f"not valid CSV: {exc}", source=self.lines.source,
                                   line=start) from exc
            if not record or record == [""]:
                continue
            problem = None
            if len(record) < width:
                problem = InvalidInput(
                    f"has {len(record)} fields, the header {width}: the row ends before this "
                    "column (is the file cut short?)", line=start, field=self.header[len(record)])
            elif len(record) > width:
                problem = InvalidInput(f"has {len(record)} fields, the header {width}",
                                       line=start)
            yield start, record, problem
