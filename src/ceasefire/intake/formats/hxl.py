"""HXL-tagged CSV (Humanitarian Exchange Language): columns are found by their hashtag,
not their header, so files from other tools import as long as they use the same tags.

The tag row is the first row whose cells are all hashtags (or empty). Tags match with
their attributes in any order (#affected+killed+min = #affected+min+killed); columns with
tags we do not know are ignored, as HXL asks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import ClassVar

from ceasefire.errors import InvalidInput
from ceasefire.intake.files import CsvReader, LineReader
from ceasefire.intake.formats import Rejected, cell_error, raw_csv, record
from ceasefire.intake.formats.flat import COLUMNS, unflatten
from ceasefire.intake.normalise import Draft
from ceasefire.intake.report_in import SourceIn


def tag_key(tag: str) -> tuple[str, frozenset[str]]:
    head, *attributes = tag.strip().lower().split("+")
    return head.strip(), frozenset(a.strip() for a in attributes if a.strip())


_BY_TAG = {tag_key(c.tag): c.path for c in COLUMNS if c.path is not None}


def _is_tag_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(c.startswith("#") for c in filled)


class HxlCsv:
    name: ClassVar[str] = "hxl"
    default_source = None
    columns: dict[str, str] = {}

    def read(self, lines: LineReader, source_name: str | None) -> Iterator[Draft | Rejected]:
        reader = CsvReader(lines)
        rows = iter(reader)
        tags = reader.header
        if not _is_tag_row(tags):
            first = next(rows, None)
            if first is None or not _is_tag_row(first[1]):
                raise InvalidInput("no HXL hashtag row (like #date,#geo+lat) after the header",
                                   source=lines.source, line=2)
            tags = first[1]
        paths = [_BY_TAG.get(tag_key(t)) if t.strip() else None for t in tags]
        # Errors name the file's own header (or tag) of the column at fault.
        self.columns = {p: (reader.header[i] or tags[i]) for i, p in enumerate(paths) if p}
        for line, cells, problem in rows:
            if problem is not None:
                yield Rejected.of(problem, raw_csv(cells))
                continue
            values = {p: cells[i].strip() for i, p in enumerate(paths) if p}
            found: list[InvalidInput] = []
            try:
                data = unflatten(values)
            except json.JSONDecodeError as exc:  # noted; the rest of the row is read on
                found.append(cell_error(f"not valid JSON ({exc.msg})", line,
                                        self.columns["evidence"]))
                data = unflatten({p: v for p, v in values.items() if p != "evidence"})
            if source_name is not None and "source" not in data:
                data["source"] = SourceIn(name=source_name).model_dump()
            try:
                given = record(data, line, self.columns, found)
            except InvalidInput as exc:
                yield Rejected.of(exc, raw_csv(cells))
                continue
            place = given.place
            yield Draft(given, line, bool(place.adm1 or place.adm2 or place.adm3), raw_csv(cells))
