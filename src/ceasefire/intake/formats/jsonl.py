"""JSON Lines: one report per line, in the shape our own export writes (ReportRecord)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import orjson
from pydantic import ValidationError

from ceasefire.intake.files import LineReader
from ceasefire.intake.formats import Rejected, names_given
from ceasefire.intake.normalise import Draft
from ceasefire.intake.report_in import ReportRecord, SourceIn
from ceasefire.intake.validation import problems


class JsonLines:
    name: ClassVar[str] = "jsonl"
    default_source = None
    columns: dict[str, str] = {}

    def read(self, lines: LineReader, source_name: str | None) -> Iterator[Draft | Rejected]:
        for text in lines:
            if not text.strip():
                continue
            try:
                given = ReportRecord.model_validate_json(text)
            except ValidationError as exc:
                found = problems(exc, line=lines.line)
                yield Rejected(tuple(found), text.rstrip("\n"), lines.line,
                               names_given(_parsed(text), found))
                continue
            if source_name is not None and given.source is None:
                given = given.model_copy(update={"source": SourceIn(name=source_name)})
            # A row that names its admin area asserts it: a point just off the rounded
            # boundary (a harbour, a border camp) may then take that area.
            in_country = bool(given.place.adm1 or given.place.adm2 or given.place.adm3)
            yield Draft(given, lines.line, in_country, text.rstrip("\n"))


def _parsed(text: str) -> object:
    """A refused line read again, for the actor names it gives; None if not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
