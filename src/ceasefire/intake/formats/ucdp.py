"""UCDP Georeferenced Event Dataset (GED) CSV.

UCDP records who fought whom, not who broke a ceasefire: side_a becomes the report's
perpetrators and side_b its targets, both kept verbatim, so verification can attribute.
Dates are whole days (UTC); date_prec and where_prec map onto our precisions. A low /
best / high that is out of order is widened to hold all three numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ceasefire.domain.taxonomy import FROM_UCDP
from ceasefire.domain.when import TimePrecision
from ceasefire.errors import InvalidInput
from ceasefire.intake.formats import CsvFormat, cell_error

REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "where_prec", "latitude",
            "longitude", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
            "deaths_civilians", "deaths_unknown", "low", "best", "high")


def sides(text: str) -> list[str]:
    """UCDP joins the groups of a coalition with commas."""
    return [name.strip() for name in text.split(",") if name.strip()]


def integer(row: dict[str, str], column: str, line: int) -> int:
    try:
        return int(row[column])
    except ValueError:
        raise cell_error(f"{row[column]!r} is not a whole number", line, column) from None


def number(row: dict[str, str], column: str, line: int) -> float:
    try:
        return float(row[column])
    except ValueError:
        raise cell_error(f"{row[column]!r} is not a number", line, column) from None


def day(row: dict[str, str], column: str, line: int) -> date:
    try:
        return date.fromisoformat(row[column])
    except ValueError:
        raise cell_error(f"{row[column]!r} is not a date (YYYY-MM-DD)", line, column) from None


class UcdpGed(CsvFormat):
    name = "ucdp"
    default_source = "UCDP GED"
    required = REQUIRED
    columns = {
        "source.key": "id", "when": "date_start", "when.latest": "date_end",
        "when.precision": "date_prec", "place": "latitude", "place.lon": "longitude",
        "place.precision": "where_prec", "place.name": "where_coordinates",
        "violation": "type_of_violence", "perpetrators": "side_a", "perpetrator_text": "side_a",
        "targets": "side_b", "target_text": "side_b", "casualties": "best",
        "casualties.low": "low", "casualties.high": "high",
        "casualties.civilian": "deaths_civilians", "casualties.unknown": "deaths_unknown",
        "casualties.combatant": "deaths_a", "narrative": "source_headline",
        "source.reference": "source_article",
    }

    def _map(self, row: dict[str, str], line: int, source_name: str) -> dict[str, Any]:
        kind = integer(row, "type_of_violence", line)
        if kind not in FROM_UCDP:
            raise cell_error(f"{kind} is not one of {sorted(FROM_UCDP)}", line,
                             "type_of_violence")
        try:
            precision = TimePrecision.from_ucdp(integer(row, "date_prec", line))
        except InvalidInput as exc:
            raise cell_error(exc.message, line, "date_prec") from None
        first, last = day(row, "date_start", line), day(row, "date_end", line)
        if last < first:
            raise cell_error(f"{last} is before date_start {first}", line, "date_end")
        combatants = integer(row, "deaths_a", line) + integer(row, "deaths_b", line)
        low, best, high = (integer(row, c, line) for c in ("low", "best", "high"))
        # Some GED rows give a range that does not hold the best estimate (low 2, best 2,
        # high 1): the range is widened to hold all three, keeping best as UCDP gave it.
        low, high = min(low, best, high), max(low, best, high)
        return {
            "source": {"name": source_name, "key": f"ucdp-ged:{row['id']}",
                       "reference": row.get("source_article") or None},
            "when": {"earliest": f"{first}T00:00:00Z",
                     "latest": f"{last}T23:59:59.999999Z", "precision": precision},
            "place": {"lon": number(row, "longitude", line), "lat": number(row, "latitude", line),
                      "precision": integer(row, "where_prec", line),
                      "name": row.get("where_coordinates") or None},
            "violation": FROM_UCDP[kind],
            "perpetrators": sides(row["side_a"]), "perpetrator_text": row["side_a"] or None,
            "targets": sides(row["side_b"]), "target_text": row["side_b"] or None,
            "casualties": {"low": low, "best": best, "high": high,
                           "civilian": integer(row, "deaths_civilians", line),
                           "combatant": combatants,
                           "unknown": integer(row, "deaths_unknown", line)},
            "narrative": row.get("source_headline", ""),
        }
