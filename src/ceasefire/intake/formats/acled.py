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
from ceasefire.intake.formats import Cells, CsvFormat, cell_error
from ceasefire.intake.validation import RowInvalid

REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
            "actor1", "actor2", "latitude", "longitude", "geo_precision", "fatalities")
# ACLED has written dates as 2017-01-05, 05 January 2017 and 05-January-2017.
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y")


def event_date(text: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError(text)


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

    def _map(self, cells: Cells, source_name: str) -> dict[str, Any]:
        row = cells.row
        pair = (row["event_type"], row["sub_event_type"])
        if pair in FROM_ACLED and FROM_ACLED[pair] is None:
            # No violation (a protest): refused whatever else it holds, its actors too,
            # whose names would only crowd the unknown ones a user must add.
            raise RowInvalid([cell_error(f"{pair[1]!r} is not a violation the mechanism "
                                         "records", cells.line, "sub_event_type")])
        if pair not in FROM_ACLED:
            cells.fail(f"unknown ACLED event type {pair[0]!r} / {pair[1]!r}", "sub_event_type")
        day = cells.value("event_date", event_date,
                          "a date (like 2017-01-05 or 05 January 2017)")
        country = row.get("country", "")
        perpetrators = actors(row["actor1"], row.get("assoc_actor_1", ""), country)
        targets = actors(row["actor2"], row.get("assoc_actor_2", ""), country)
        return {
            "source": {"name": source_name, "key": f"acled:{row['event_id_cnty']}",
                       "reference": row.get("source") or None},
            "when": {"date": day.isoformat() if day else None,
                     "precision": cells.value(
                         "time_precision", lambda text: TimePrecision.from_acled(int(text)),
                         "a whole number")},
            "place": {"lon": cells.number("longitude"), "lat": cells.number("latitude"),
                      "precision": cells.value(
                          "geo_precision", lambda text: WherePrecision.from_acled(int(text)),
                          "a whole number"),
                      "name": row.get("location") or None},
            "violation": FROM_ACLED.get(pair),
            "perpetrators": perpetrators, "perpetrator_text": "; ".join(perpetrators) or None,
            "targets": targets, "target_text": "; ".join(targets) or None,
            "civilians_targeted": bool(row.get("civilian_targeting")),
            "casualties": {"best": cells.integer("fatalities")},
            "narrative": row.get("notes", ""),
        }
