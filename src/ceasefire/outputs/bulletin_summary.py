"""A bulletin's summary in sentences, written from its numbers through a template a person
can edit (templates/bulletin_summary.txt; the values it may use are listed in
docs/bulletins.md). The sentences go into the document, so a published bulletin keeps
the words it was published with."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from ceasefire.domain.words import count, days_words, listing, status_words

_text = Environment(loader=PackageLoader("ceasefire.outputs", "templates"),
                    autoescape=False, undefined=StrictUndefined, trim_blocks=True,
                    lstrip_blocks=True)  # plain text: the pages escape it when shown
_text.globals.update(count=count, listing=listing)
_text.filters["num"] = "{:,}".format

COVERED = ("confirmed", "disputed", "pending", "rejected")
MOST = 2  # governorates named as holding the most incidents


def values(d: dict[str, Any]) -> dict[str, Any]:
    """The named values the summary template reads (docs/bulletins.md lists them)."""
    start = datetime.fromisoformat(d["period"]["from"])
    end = datetime.fromisoformat(d["period"]["to"])
    days = (end - start).days
    status, killed = d["by_status"], d["killed_by_status"]
    top = [(g["name"], g["incidents"]) for g in d["by_governorate"]][:MOST]
    return {
        "incidents": d["incidents"], "period": days_words(start.date(),
                                                          (end - timedelta(days=1)).date()),
        "days": days, "before": "the day before" if days == 1 else f"the {days} days before",
        "confirmed_by": d["confirmed_by"],
        **{s.replace("-", "_"): status.get(s, 0) for s in (*COVERED, "not-covered")},
        "covered": sum(status.get(s, 0) for s in COVERED),
        "killed": d["killed"], "killed_covered": sum(killed.get(s, 0) for s in COVERED),
        "killed_confirmed": killed.get("confirmed", 0),
        "killed_not_covered": killed.get("not-covered", 0),
        "unnamed": sum(status.get(s, 0) for s in COVERED[1:]),
        "killed_unnamed": sum(killed.get(s, 0) for s in COVERED[1:]),
        "most": [f"{name} ({n:,})" for name, n in top],
        "previous": d["previous_period"]["incidents"], "change": d["change"]["incidents"],
        "attributed": _attributed([(a["name"], a["incidents"]) for a in d["by_attribution"]
                                   if a["actor"]]),
        "not_attributed": sum(a["incidents"] for a in d["by_attribution"] if not a["actor"]),
        "pending_words": status_words("pending"),
    }


def _attributed(named: list[tuple[str, int]]) -> list[str]:
    """'2 are attributed to A', '1 to B': phrases to join with `listing`."""
    return [f"{n:,} {'is' if n == 1 else 'are'} attributed to {name}" if i == 0
            else f"{n:,} to {name}" for i, (name, n) in enumerate(named)]


def summary(d: dict[str, Any]) -> list[str]:
    """The summary's paragraphs (a blank line in the template starts one)."""
    text = _text.get_template("bulletin_summary.txt").render(**values(d))
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
