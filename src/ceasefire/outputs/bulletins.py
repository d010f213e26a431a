"""A bulletin written out: its document (`as_dict`, kept as JSON when published) and,
from the document alone, Markdown and HTML for people (PDF: outputs/pdf.py). Rendering
from the document means a published bulletin reads the same however the record moves on.
Governorates are named in English and Arabic from the shipped boundaries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ceasefire.domain.bulletin import STATUSES, Bulletin, IncidentLine
from ceasefire.geo.admin import syria
from ceasefire.ledger.checkpoints import Checkpoint, checkpoint_json


def _governorate(pcode: str) -> dict[str, str | None]:
    if pcode == "unknown":
        return {"pcode": None, "name": "unknown", "name_ar": None}
    area = syria().area(pcode)
    return {"pcode": pcode, "name": area.name, "name_ar": area.name_ar}


def _line(x: IncidentLine) -> dict[str, Any]:
    # Not which parties reported it: the public reads findings, not who alleged them.
    return {"incident": x.incident, "earliest": x.earliest.isoformat(), "adm1": x.adm1,
            "violation": x.violation, "status": x.status.value, "reports": x.reports,
            "killed": x.killed}


def as_dict(b: Bulletin, c: Checkpoint, at: datetime, verified: int = 0) -> dict[str, Any]:
    """The bulletin `b`, counted at `at`, and the ledger checkpoint `c` its counts rest on,
    against which `verified` records they were counted from were checked."""
    start, end = b.period.bounds()
    return {
        "agreement": b.agreement,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "issued_at": at.isoformat(),
        "incidents": b.tally.incidents, "by_status": b.tally.by_status,
        "killed": b.tally.killed,
        "by_governorate": [{**_governorate(p), "by_status": s, "incidents": sum(s.values())}
                           for p, s in b.tally.by_governorate.items()],
        "by_reporting_party": [{"party": p, "by_status": s, "incidents": sum(s.values())}
                               for p, s in b.tally.by_party.items()],
        "previous_period": {"incidents": b.previous.incidents,
                            "by_status": b.previous.by_status},
        "change": {"incidents": b.change.incidents, "by_status": b.change.by_status},
        "notable": [_line(x) for x in b.notable],
        "checkpoint": checkpoint_json(c),
        "verified": {"records": verified, "against": c.size},
    }


def _verified(d: dict[str, Any]) -> str:
    """The sentence saying what the counts were checked against (none in bulletins
    published before they were)."""
    v = d.get("verified")
    if not v:
        return ""
    return (f"Before they were counted, the {v['records']:,} records these counts are read "
            f"from were checked against the ledger at {v['against']} entries: each is as "
            "the ledger's entries last wrote it, and each of those entries is signed by a "
            "key the ledger trusted. ")


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def document_of(text: str) -> dict[str, Any]:
    """A bulletin's document as published (`as_json`), read back for rendering."""
    return json.loads(text)


_templates = Environment(loader=PackageLoader("ceasefire.outputs", "templates"),
                         autoescape=select_autoescape(default=True),
                         undefined=StrictUndefined)


def _days(d: dict[str, Any]) -> tuple[datetime, datetime, int]:
    start = datetime.fromisoformat(d["period"]["from"])
    end = datetime.fromisoformat(d["period"]["to"])
    return start, end, (end - start).days


def period_title(start: datetime, end: datetime) -> str:
    if (end - start).days == 1:
        return f"Daily bulletin, {_day(start)}"
    return f"Report to the talks, {_day(start)} to {_day(end - timedelta(days=1))}"


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"  # 2 July 2017, as it is written


def title(d: dict[str, Any]) -> str:
    start, end, _ = _days(d)
    return period_title(start, end)


def _before(d: dict[str, Any]) -> str:
    days = _days(d)[2]
    return "the day before" if days == 1 else f"the {days} days before"


def page_values(d: dict[str, Any]) -> dict[str, Any]:
    """What the bulletin's body (templates/bulletin_body.html) needs: the standalone
    file and the web page share it."""
    return {"b": d, "title": title(d), "before": _before(d),
            "statuses": [s.value for s in STATUSES], "verified": _verified(d)}


def as_html(d: dict[str, Any]) -> str:
    """A document of its own (its style sheet inside), for mail, the archive and PDF."""
    css = resources.files("ceasefire.outputs").joinpath("templates/bulletin.css")
    return _templates.get_template("bulletin.html").render(
        **page_values(d), stylesheet=css.read_text(encoding="utf-8"))


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def as_markdown(d: dict[str, Any]) -> str:
    statuses = ", ".join(f"{k} {v}" for k, v in d["by_status"].items()) or "none"
    out = [f"# {title(d)}", "",
           f"Agreement `{d['agreement']}`. Incidents are counted on the day they began (UTC).",
           "", f"**{d['incidents']} incident{'' if d['incidents'] == 1 else 's'}** ({statuses}); "
           f"at least {d['killed']} killed.",
           f"Change on {_before(d)}: "
           f"{_signed(d['change']['incidents'])} incidents "
           f"({d['previous_period']['incidents']} then).", "",
           "## By governorate", "", "| governorate | incidents | by status |", "|---|---|---|"]
    for g in d["by_governorate"]:
        name = g["name"] + (f" ({g['name_ar']})" if g["name_ar"] else "")
        out.append(f"| {name} | {g['incidents']} | "
                   f"{', '.join(f'{k} {v}' for k, v in g['by_status'].items())} |")
    out += ["", "## By reporting party", "", "| party | incidents | by status |",
            "|---|---|---|"]
    for p in d["by_reporting_party"]:
        out.append(f"| {p['party']} | {p['incidents']} | "
                   f"{', '.join(f'{k} {v}' for k, v in p['by_status'].items())} |")
    out += ["", "## Notable incidents", ""]
    for x in d["notable"]:
        out.append(f"- `{x['incident']}` {x['earliest'][:10]}, {x['violation']}, "
                   f"{x['status']}, {x['killed']} killed, {x['reports']} report(s)")
    if not d["notable"]:
        out.append("None confirmed in this period.")
    c = d["checkpoint"]
    out += ["", "## Ledger", "", _verified(d) +
            f"These counts rest on the ledger's first {c['size']} entries: Merkle root "
            f"`{c['root']}`, signed by key `{c['signer']}` at {c['at']}. Anyone holding "
            f"this checkpoint can check that the ledger only grew since: "
            f"`ceasefire ledger verify --checkpoint FILE`.", ""]
    return "\n".join(out)
