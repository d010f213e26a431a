"""ACLED CSV (the export of acleddata.com).

actor1 and its associates become the perpetrators, actor2 and its associates the
targets. ACLED qualifies names with the country ("Islamic State (Syria)"); the qualifier
is dropped when it names the row's own country. Event types outside our taxonomy
(protests, agreements, arrests) are not violations: such rows are refused with the reason.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ceasefire.domain.place import WherePrecision
from ceasefire.domain.taxonomy import FROM_ACLED
from ceasefire.domain.when import TimePrecision
from ceasefire.errors import InvalidInput
from ceasefire.intake.formats import CsvFormat, cell_error
from ceasefire.intake.formats.ucdp import integer, number

REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
            "actor1", "actor2", "latitude", "longitude", "geo_precision", "fatalities")
# ACLED has written dates as 2017-01-05, 05 January 2017 and 05-January-2017.
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y")


def event_date(text: str, line: int) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise cell_error(f"{text!r} is not a date (like 2017-01-05 or 05 January 2017)", line,
                     "event_date")


def actors(main: str, associates: str, country: str) -> list[str]:
    names = [main.strip()] if main.strip() else []
    names += [a.strip() for a in associates.split(";") if a.strip()]
    suffix = f" ({country})" if country else None
    return [n[: -len(suffix)] if suffix and n.endswith(suffix) else n for n in names]


class Acled(CsvFormat):
    name = "acled"
    default_source = "ACLED"
    required = REQUIRED
    columns = {
        "source.key": "event_id_cnty", "when": "event_date", "when.precision": "time_precision",
        "place": "latitude", "place.lon": "longitude", "place.precision": "geo_precision",
        "place.name": "location", "violation": "sub_event_type", "perpetrators": "actor1",
        "perpetrator_text": "actor1", "targets": "actor2", "target_text": "actor2",
        "casualties": "fatalities", "narrative": "notes", "source.reference": "source",
    }

    def _map(self, row: dict[str, str], line: int, source_name: str) -> dict[str, Any]:
        pair = (row["event_type"], row["sub_event_type"])
        if pair not in FROM_ACLED:
            raise cell_error(f"unknown ACLED event type {pair[0]!r} / {pair[1]!r}", line,
                             "sub_event_type")
        kind = FROM_ACLED[pair]
        if kind is None:
            raise cell_error(f"{pair[1]!r} is not a violation the mechanism records", line,
                             "sub_event_type")
        try:
            precision = TimePrecision.from_acled(integer(row, "time_precision", line))
            where = WherePrecision.from_acled(integer(row, "geo_precision", line))
        except InvalidInput as exc:
            raise cell_error(exc.message, line, exc.field or "time_precision") from None
        day = event_date(row["event_date"], line)
        country = row.get("country", "")
        perpetrators = actors(row["actor1"], row.get("assoc_actor_1", ""), country)
        targets = actors(row["actor2"], row.get("assoc_actor_2", ""), country)
        fatalities = integer(row, "fatalities", line)
        return {
            "source": {"name": source_name, "key": f"acled:{row['event_id_cnty']}",
                       "reference": row.get("source") or None},
            "when": {"date": day.isoformat(), "precision": precision},
            "place": {"lon": number(row, "longitude", line), "lat": number(row, "latitude", line),
                      "precision": where, "name": row.get("location") or None},
            "violation": kind,
            "perpetrators": perpetrators, "perpetrator_text": "; ".join(perpetrators) or None,
            "targets": targets, "target_text": "; ".join(targets) or None,
            "civilians_targeted": bool(row.get("civilian_targeting")),
            "casualties": {"best": fatalities},
            "narrative": row.get("notes", ""),
        }
