"""Import file formats. Each reads a file into Drafts (or Rejected rows) for normalise()."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar, Protocol, TypeVar

from pydantic import ValidationError

from ceasefire.errors import InvalidInput
from ceasefire.intake.files import CsvReader, LineReader
from ceasefire.intake.normalise import Draft
from ceasefire.intake.report_in import ReportRecord
from ceasefire.intake.validation import RowInvalid, every, problems

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that could not be read, with every problem found in it; an all-or-nothing
    import stops at the first."""

    problems: tuple[InvalidInput, ...]
    raw: str
    line: int | None = None
    # The actor names the row gives, by field: still to be checked (RowInvalid.names).
    names: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, error: InvalidInput, raw: str) -> Rejected:
        names = error.names if isinstance(error, RowInvalid) else {}
        return cls(every(error), raw, error.line, names)


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


def record(data: dict[str, Any], line: int, columns: Mapping[str, str],
           noted: Sequence[InvalidInput] = ()) -> ReportRecord:
    """Validate a mapped row. ``noted``: the problems its cells had already (those cells
    are left out of ``data``, or None); the row fails with them and every other problem,
    each naming the file's column."""
    try:
        given = ReportRecord.model_validate(data)
    except ValidationError as exc:
        found = problems(exc, line=line)
    else:
        if not noted:
            return given
        found = []
    names = names_given(data, found)
    for p in found:
        p.field = column_of(columns, p.field)
    at_fault = {p.field for p in noted}  # a cell left out is not a second problem
    raise RowInvalid([*noted, *(p for p in found if p.field not in at_fault)], names)


def names_given(data: object, found: Sequence[InvalidInput]) -> dict[str, list[str]]:
    """The actor names a refused record gives, in the fields that are not at fault
    themselves: to be checked all the same."""
    if not isinstance(data, dict):
        return {}
    faulty = {(p.field or "").partition("[")[0] for p in found}
    return {f: v for f in ("perpetrators", "targets")
            if f not in faulty and isinstance(v := data.get(f), list)
            and all(isinstance(n, str) for n in v)}


def cell_error(message: str, line: int, column: str) -> InvalidInput:
    return InvalidInput(message, line=line, field=column)


class Cells:
    """A CSV row's cells read by type. A bad cell is noted and reading goes on, so that
    every problem of the row is named at once (``record``)."""

    __slots__ = ("line", "problems", "row")

    def __init__(self, row: dict[str, str], line: int) -> None:
        self.row = row
        self.line = line
        self.problems: list[InvalidInput] = []

    def fail(self, message: str, column: str) -> None:
        self.problems.append(cell_error(message, self.line, column))

    def value(self, column: str, convert: Callable[[str], T], what: str) -> T | None:
        """The cell converted; None, noted, when it is not ``what`` (the converter's own
        InvalidInput message, when it gives one)."""
        try:
            return convert(self.row[column])
        except InvalidInput as exc:
            self.fail(exc.message, column)
        except ValueError:
            self.fail(f"{self.row[column]!r} is not {what}", column)
        return None

    def integer(self, column: str) -> int | None:
        return self.value(column, int, "a whole number")

    def number(self, column: str) -> float | None:
        return self.value(column, float, "a number")


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
            yield Rejected.of(problem, raw)
            continue
        row = dict(zip(header, cells, strict=True))
        try:
            given = to_record(row, line)
        except InvalidInput as exc:
            yield Rejected.of(exc, raw)
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
        return csv_drafts(lines, self.required, partial(self._record, source_name=name),
                          curated=True)

    def _record(self, row: dict[str, str], line: int, *, source_name: str) -> ReportRecord:
        cells = Cells(row, line)
        data = self._map(cells, source_name)
        return record(data, line, self.columns, cells.problems)

    def _map(self, cells: Cells, source_name: str) -> dict[str, Any]:
        """The row as a record dict; a bad cell is noted in ``cells`` and left None."""
        raise NotImplementedError
