"""A bulletin's document: `as_dict`, kept byte for byte as JSON when published, with the
numbers, the names the reader sees (from the reference data when it was counted) and the
summary's sentences (templates/bulletin_summary.txt). Everything people read is rendered
from the document alone (outputs/bulletin_pages.py), so a published bulletin reads the
same however the record and the reference data move on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ceasefire.domain.bulletin import (
    ATTRIBUTION_DIFFERS,
    NOT_ATTRIBUTED,
    Bulletin,
    IncidentLine,
)
from ceasefire.domain.words import day_words
from ceasefire.geo.admin import syria
from ceasefire.ledger.checkpoints import Checkpoint, checkpoint_json
from ceasefire.outputs.bulletin_summary import summary

FORMAT = 2  # the document's shape; 1 (before the summary and names) still renders


@dataclass(frozen=True)
class Names:
    """What the document names in words, as the reference data said when it was counted."""

    agreement_title: str
    guarantors: tuple[str, ...]  # the parties' names
    secretariat: str
    confirmed_by: str  # who confirms an incident: "all three guarantors"
    terms: dict[str, str] = field(default_factory=dict)  # zone (or agreement) code -> words
    actors: dict[str, str] = field(default_factory=dict)  # actor code -> name
    parties: dict[str, str] = field(default_factory=dict)  # party code -> name

    @property
    def mechanism(self) -> str:
        those = [g if g.lower().startswith("the ") else f"the {g}" for g in self.guarantors]
        joined = those[0] if len(those) == 1 else f"{', '.join(those[:-1])} and {those[-1]}"
        return f"Ceasefire monitoring mechanism of {joined}"


def area_name(pcode: str | None) -> str:
    if pcode is None or pcode == "unknown":
        return "an unknown governorate"
    return syria().area(pcode).name


def _governorate(pcode: str) -> dict[str, str | None]:
    if pcode == "unknown":  # in no governorate: located only to the country
        return {"pcode": None, "name": "Located only to the country", "name_ar": None}
    area = syria().area(pcode)
    return {"pcode": pcode, "name": area.name, "name_ar": area.name_ar}


def place(x: IncidentLine) -> str:
    """Where, in words: the finest area known and its governorate."""
    if x.adm1 is None:
        return "located only to the country"
    finest = next((p for p in (x.adm3, x.adm2) if p), None)
    governorate = area_name(x.adm1)
    if finest is None:
        return f"{governorate} governorate"
    return f"{syria().area(finest).name}, {governorate} governorate"


def _attributed(code: str, names: Names, *, line: bool = False) -> str:
    """Whom a confirmed incident is attributed to: a table's row, or a phrase (`line`)."""
    if code == NOT_ATTRIBUTED:
        return "not attributed: no guarantor named an actor" if line else \
            "Not attributed: no guarantor named an actor"
    if code == ATTRIBUTION_DIFFERS:
        return "not attributed: the guarantors named different actors" if line else \
            "Not attributed: the guarantors named different actors"
    name = names.actors.get(code, code)
    return f"attributed to {name}" if line else name


def _line(x: IncidentLine, names: Names) -> dict[str, Any]:
    # Not which parties reported it: the public reads findings, not who alleged them.
    who = x.attributed or NOT_ATTRIBUTED
    return {"incident": x.incident, "earliest": x.earliest.isoformat(),
            "day": day_words(x.earliest.date()), "place": place(x), "adm1": x.adm1,
            "violation": x.violation, "status": x.status.value, "reports": x.reports,
            "killed": x.killed, "attributed_to": who if who in names.actors else None,
            "attributed": _attributed(who, names, line=True)}


def _counts(rows: dict[str, dict[str, int]]) -> list[tuple[str, dict[str, int], int]]:
    """Rows largest first (then by key), each with its total."""
    return sorted(((k, v, sum(v.values())) for k, v in rows.items()),
                  key=lambda r: (-r[2], r[0]))


def as_dict(b: Bulletin, c: Checkpoint, at: datetime, verified: int = 0,
            names: Names | None = None) -> dict[str, Any]:
    """The bulletin `b`, counted at `at`, and the ledger checkpoint `c` its counts rest on,
    against which `verified` records they were counted from were checked."""
    names = names or Names(b.agreement, (), "", "the guarantors")
    start, end = b.period.bounds()
    t = b.tally
    document: dict[str, Any] = {
        "format": FORMAT,
        "mechanism": {"name": names.mechanism if names.guarantors else "",
                      "issued_by": names.secretariat, "guarantors": list(names.guarantors)},
        "agreement": b.agreement, "agreement_title": names.agreement_title,
        "confirmed_by": names.confirmed_by,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "issued_at": at.isoformat(),
        "incidents": t.incidents, "by_status": t.by_status,
        "killed": t.killed, "killed_by_status": t.killed_by_status,
        "by_day": [{"day": d.isoformat(), "by_status": s} for d, s in t.by_day.items()],
        "by_governorate": [{**_governorate(p), "by_status": s, "incidents": n}
                           for p, s, n in _counts(t.by_governorate)],
        "by_zone": [{"zone": z or None, "name": names.terms.get(z, z or "not assessed"),
                     "by_status": s, "incidents": n} for z, s, n in _counts(t.by_zone)],
        "by_reporting_party": [{"party": p, "name": names.parties.get(p, p), "by_status": s,
                                "incidents": n} for p, s, n in _counts(t.by_party)],
        "by_attribution": [{"actor": a if a in names.actors else None,
                            "name": _attributed(a, names), "incidents": n,
                            "killed": t.killed_by_attribution[a]}
                           for a, n in t.by_attribution.items()],
        "previous_period": {"incidents": b.previous.incidents,
                            "by_status": b.previous.by_status},
        "change": {"incidents": b.change.incidents, "by_status": b.change.by_status},
        "notable": [_line(x, names) for x in b.notable],
        "map": _positions(b),
        "checkpoint": checkpoint_json(c),
        "verified": {"records": verified, "against": c.size},
    }
    document["summary"] = summary(document)
    return document


def _positions(b: Bulletin) -> list[dict[str, Any]]:
    """Where the confirmed incidents are (a public page names them; the rest it counts),
    to two decimals (about a kilometre), those at one position counted together."""
    found: dict[tuple[float, float], int] = {}
    for x in b.confirmed:
        # One located only to the country has no place to mark: its point is the source's
        # stand-in for "somewhere in the country", and a circle there would name a place.
        if x.lon is not None and x.lat is not None and x.adm1 is not None:
            key = (round(x.lon, 2), round(x.lat, 2))
            found[key] = found.get(key, 0) + 1
    return [{"lon": lon, "lat": lat, "confirmed": n} for (lon, lat), n in sorted(found.items())]


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def document_sha256(document: dict[str, Any]) -> str:
    """The SHA-256 of the document as published (`as_json`, UTF-8): what the ledger's
    `bulletin.published` entry signs and every rendering states in its footer."""
    return hashlib.sha256(as_json(document).encode("utf-8")).hexdigest()


def document_of(text: str) -> dict[str, Any]:
    """A bulletin's document as published (`as_json`), read back for rendering."""
    return json.loads(text)


def period_title(start: datetime, end: datetime) -> str:
    if (end - start).days == 1:
        return f"Daily bulletin, {day_words(start.date())}"
    return (f"Report to the talks, {day_words(start.date())} to "
            f"{day_words((end - timedelta(days=1)).date())}")
