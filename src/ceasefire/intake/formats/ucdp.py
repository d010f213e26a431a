"""UCDP Georeferenced Event Dataset (GED) CSV.

UCDP records who fought whom, not who broke a ceasefire: side_a becomes the report's
perpetrators and side_b its targets, both kept verbatim, so verification can attribute.
Dates are whole days (UTC); date_prec and where_prec map onto our precisions; a row
known only to a governorate or a region is filed by the governorate it names
(ucdp_regions). A low / best / high that is out of order is widened to hold all three.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ceasefire.domain.taxonomy import FROM_UCDP
from ceasefire.domain.when import TimePrecision
from ceasefire.intake.formats import Cells, CsvFormat
from ceasefire.intake.formats.ucdp_regions import named_governorate

REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "where_prec", "latitude",
            "longitude", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
            "deaths_civilians", "deaths_unknown", "low", "best", "high")


def sides(text: str) -> list[str]:
    """UCDP joins the groups of a coalition with commas."""
    return [name.strip() for name in text.split(",") if name.strip()]


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

    def _map(self, cells: Cells, source_name: str) -> dict[str, Any]:
        row = cells.row
        kind = cells.integer("type_of_violence")
        if kind is not None and kind not in FROM_UCDP:
            cells.fail(f"{kind} is not one of {sorted(FROM_UCDP)}", "type_of_violence")
        precision = cells.value("date_prec", lambda text: TimePrecision.from_ucdp(int(text)),
                                "a whole number")
        first, last = (cells.value(c, date.fromisoformat, "a date (YYYY-MM-DD)")
                       for c in ("date_start", "date_end"))
        when: dict[str, Any] = {}  # left empty when a day is bad: that problem is noted
        if first is not None and last is not None:
            if last < first:
                cells.fail(f"{last} is before date_start {first}", "date_end")
            when = {"earliest": f"{first}T00:00:00Z", "latest": f"{last}T23:59:59.999999Z",
                    "precision": precision}
        deaths_a, deaths_b = cells.integer("deaths_a"), cells.integer("deaths_b")
        low, best, high = (cells.integer(c) for c in ("low", "best", "high"))
        if low is not None and best is not None and high is not None:
            # Some GED rows give a range that does not hold the best estimate (low 2,
            # best 2, high 1): widened to hold all three, keeping best as UCDP gave it.
            low, high = min(low, best, high), max(low, best, high)
        return {
            "source": {"name": source_name, "key": f"ucdp-ged:{row['id']}",
                       "reference": row.get("source_article") or None},
            "when": when,
            "place": {"lon": cells.number("longitude"), "lat": cells.number("latitude"),
                      "precision": cells.integer("where_prec"),
                      "name": row.get("where_coordinates") or None,
                      **named_governorate(row["where_prec"],
                                          row.get("where_coordinates", ""),
                                          row.get("adm_1", ""))},
            "violation": FROM_UCDP.get(kind) if kind is not None else None,
            "perpetrators": sides(row["side_a"]), "perpetrator_text": row["side_a"] or None,
            "targets": sides(row["side_b"]), "target_text": row["side_b"] or None,
            "casualties": {"low": low, "best": best, "high": high,
                           "civilian": cells.integer("deaths_civilians"),
                           "combatant": (deaths_a + deaths_b if deaths_a is not None
                                         and deaths_b is not None else None),
                           "unknown": cells.integer("deaths_unknown")},
            "narrative": row.get("source_headline", ""),
        }
