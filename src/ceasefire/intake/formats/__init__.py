"""Import file formats. Each reads a file into Drafts (or Rejected rows) for normalise()."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from pydantic import ValidationError

from ceasefire.errors import InvalidInput
from ceasefire.intake.files import CsvReader, LineReader
from ceasefire.intake.normalise import Draft
from ceasefire.intake.report_in import ReportRecord
from ceasefire.intake.validation import invalid


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that could not be read; an all-or-nothing import stops at the first."""

    error: InvalidInput
    raw: str


class Format(Protocol):
    name: ClassVar[str]

    @property
    def default_source(self) -> str | None:
        """The source name its records get, if not given."""

    @property
    def columns(self) -> Mapping[str, str]:
        """Our field path prefix -> the file's column, so errors name what the user sees."""

    def read(self, lines: LineReader, source_name: str | None
             ) -> Iterator[Draft | Rejected]: ...


def column_of(columns: Mapping[str, str], field: str | None) -> str | None:
    """The file's column for one of our field paths (longest matching prefix wins)."""
    if field is None:
        return None
    best = None
    for prefix, column in columns.items():
        if (field == prefix or field.startswith((prefix + ".", prefix + "["))) and (
                best is None or len(prefix) > len(best[0])):
            best = (prefix, column)
    return best[1] if best else field


def record(data: dict[str, Any], line: int, columns: Mapping[str, str]) -> ReportRecord:
    """Validate a mapped row, naming the file's column when it fails."""
    try:
        return ReportRecord.model_validate(data)
    except ValidationError as exc:
        error = invalid(exc, line=line)
        error.field = column_of(columns, error.field)
        raise error from exc


def cell_error(message: str, line: int, column: str) -> InvalidInput:
    return InvalidInput(message, line=line, field=column)


def raw_csv(record: list[str]) -> str:
    """A CSV record as one line again, for the rejects file."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(record)
    return out.getvalue()


def csv_drafts(lines: LineReader, required: tuple[str, ...],
               to_record: Callable[[dict[str, str], int], ReportRecord], *,
               curated: bool = False) -> Iterator[Draft | Rejected]:
    """Drafts from a CSV file whose rows ``to_record`` maps; a row that names its country
    (UCDP, ACLED) may snap to the nearest area (see normalise.IN_COUNTRY_SNAP_DEG).
    ``curated``: the file is a curated dataset's, whose keys give the reports' ids."""
    reader = CsvReader(lines)
    reader.require(required)
    header = reader.header
    for line, cells, problem in reader:
        raw = raw_csv(cells)
        if problem is not None:
            yield Rejected(problem, raw)
            continue
        row = dict(zip(header, cells, strict=True))
        try:
            given = to_record(row, line)
        except InvalidInput as exc:
            yield Rejected(exc, raw)
            continue
        yield Draft(given, line, bool(row.get("country")), raw, curated)


class CsvFormat:
    """A CSV format whose rows map one by one onto reports: a curated dataset's export
    (UCDP GED, ACLED), whose record ids are the reports' source keys."""

    name: ClassVar[str]
    default_source: ClassVar[str | None]
    columns: ClassVar[Mapping[str, str]]
    required: ClassVar[tuple[str, ...]]

    def read(self, lines: LineReader, source_name: str | None) -> Iterator[Draft | Rejected]:
        name = source_name or self.default_source or self.name
        return csv_drafts(lines, self.required, lambda row, line: record(
            self._map(row, line, name), line, self.columns), curated=True)

    def _map(self, row: dict[str, str], line: int, source_name: str) -> dict[str, Any]:
        raise NotImplementedError
