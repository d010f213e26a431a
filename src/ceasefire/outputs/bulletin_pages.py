"""A bulletin for people, from its document alone: the page body the standalone HTML
file, the PDF (outputs/pdf.py) and the site's page share (templates/bulletin_body.html),
and Markdown. Every code is shown in words; the footer states the number, the document's
SHA-256 and the ledger checkpoint the counts rest on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ceasefire.domain.bulletin import STATUSES
from ceasefire.domain.words import count, day_words, moment, status_words, violation_words
from ceasefire.outputs import maps
from ceasefire.outputs.bulletins import document_sha256, period_title
from ceasefire.outputs.charts import STATUS_COLOURS, day_chart
from ceasefire.outputs.mapshapes import view_for


@dataclass(frozen=True)
class Publication:
    """What publishing added beside the document (a document cannot hold its own hash)."""

    number: int
    published_at: datetime


_templates = Environment(loader=PackageLoader("ceasefire.outputs", "templates"),
                         autoescape=select_autoescape(default=True, default_for_string=True),
                         undefined=StrictUndefined)


def _status(code: str) -> str:
    return "not covered" if code == "not-covered" else status_words(code)


def breakdown(by_status: dict[str, int]) -> str:
    """'1 confirmed, 3 awaiting verdicts, 94 not covered'."""
    return ", ".join(f"{by_status[s.value]:,} {_status(s.value)}" for s in STATUSES
                     if by_status.get(s.value))


def _bounds(d: dict[str, Any]) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(d["period"]["from"]), datetime.fromisoformat(d["period"]["to"])


def title(d: dict[str, Any], publication: Publication | None = None) -> str:
    period = period_title(*_bounds(d))
    return f"Bulletin no. {publication.number}: {period}" if publication else \
        f"{period} (draft, not published)"


def _map(d: dict[str, Any]) -> Markup:
    counts = {g["pcode"]: g["by_status"] for g in d["by_governorate"] if g["pcode"]}
    clusters = [maps.Cluster(p["lon"], p["lat"], {"confirmed": p["confirmed"]})
                for p in d.get("map", [])]
    svg = maps.svg(view_for(None), counts, clusters,
                   title="Incidents by governorate; circles: confirmed incidents")
    return Markup(svg)  # noqa: S704 - written by an autoescaping template


def _chart(d: dict[str, Any]) -> dict[str, Any]:
    start, end = _bounds(d)
    by_day: dict[object, dict[str, int]] = {
        date.fromisoformat(x["day"]): x["by_status"] for x in d.get("by_day", [])}
    chart = day_chart(by_day, start.date(), end.date(), width=720, height=200)
    busiest = max(chart.buckets, key=lambda b: (b.total, -b.x), default=None)
    return {"chart": chart, "legend": [(_status(s), STATUS_COLOURS[s]) for s in STATUS_COLOURS
                                       if any(s in b.counts for b in chart.buckets)],
            "busiest": f"The busiest {'day' if chart.days_per_bucket == 1 else 'stretch'}: "
                       f"{day_words(date.fromisoformat(busiest.label))}, "
                       f"{count(busiest.total, 'incident')}." if busiest and busiest.total
                       else "No incident in the period.",
            "bars": [(b, f"{b.count:,} {_status(b.status)}") for b in chart.bars],
            "buckets": [(b, f"{day_words(date.fromisoformat(b.label))}: "
                            f"{count(b.total, 'incident')}"
                            + (f" ({breakdown(b.counts)})" if b.total else ""))
                        for b in chart.buckets]}


def _rows(items: list[dict[str, Any]], name: str = "name") -> list[dict[str, Any]]:
    return [{"name": x.get(name) or x.get("party", ""), "name_ar": x.get("name_ar"),
             "incidents": x["incidents"], "breakdown": breakdown(x["by_status"])}
            for x in items]


def _notable(d: dict[str, Any], site: str) -> list[dict[str, Any]]:
    return [{"day": x.get("day") or x["earliest"][:10], "place": x.get("place", ""),
             "violation": violation_words(x["violation"]), "killed": count(x["killed"], "killed",
                                                                          "killed"),
             "status": _status(x["status"]), "attributed": x.get("attributed", ""),
             "reports": count(x["reports"], "report"),
             "href": f"{site}/public/incidents/{x['incident']}"} for x in d["notable"]]


def _unnamed(d: dict[str, Any]) -> str:
    s, k = d["by_status"], d.get("killed_by_status", {})
    n = sum(s.get(x, 0) for x in ("disputed", "pending", "rejected"))
    if not n:
        return ""
    killed = sum(k.get(x, 0) for x in ("disputed", "pending", "rejected"))
    return (f"Not named here: {count(n, 'incident')} the agreement covers that the "
            f"guarantors have not confirmed, with {count(killed, 'person', 'people')} killed. "
            "A bulletin names an incident once the guarantors have confirmed it; the rest it "
            "counts.")


def _statuses(d: dict[str, Any]) -> list[tuple[str, int, int | None]]:
    killed = d.get("killed_by_status")
    return [(_status(s.value), d["by_status"].get(s.value, 0),
             killed.get(s.value, 0) if killed is not None else None) for s in STATUSES]


def _verified(d: dict[str, Any]) -> str:
    v = d.get("verified")
    if not v:
        return ""
    return (f"Before they were counted, the {v['records']:,} records these counts are read "
            f"from were checked against the ledger at {v['against']:,} entries: each is as "
            "the ledger's entries last wrote it, and each of those entries is signed by a "
            "key the ledger trusted.")


def _witnessed(d: dict[str, Any]) -> dict[str, Any]:
    """Who cosigned the checkpoint, in words; a document from before witnesses says
    nothing, one published without them says so plainly."""
    if "witnessed" not in d:
        return {"said": "", "cosigners": [], "note": ""}
    w = d["witnessed"]
    if not w:
        return {"said": "No witness cosigned the ledger's checkpoints when this bulletin was "
                        "published: they are signed by the server alone (unwitnessed).",
                "cosigners": [], "note": ""}
    names = ", ".join(c["party"] for c in w["cosignatures"])
    extends = ("" if w["size"] == d["checkpoint"]["size"] else
               f" at {w['size']:,} entries (which extends it: the proof is in the JSON)")
    return {"said": (f"The ledger{extends or ' at this checkpoint'} was cosigned by the "
                     f"witnesses of {names} ({len(w['cosignatures'])} of the quorum of "
                     f"{w['quorum']}): each witness checked that it extends every state it "
                     "cosigned before."),
            "cosigners": [{"party": c["party"], "witness": c["witness"],
                           "at": moment(datetime.fromisoformat(c["at"]))}
                          for c in w["cosignatures"]],
            "note": w["note"]}


def page_values(d: dict[str, Any], publication: Publication | None = None,
                site: str = "") -> dict[str, Any]:
    """What templates/bulletin_body.html reads, all in words (`bp`); `site` prefixes the
    links to the incidents' public pages."""
    start, end = _bounds(d)
    days = (end - start).days
    sha256 = document_sha256(d)
    return {"bp": {
        "title": title(d, publication), "number": publication.number if publication else None,
        "mechanism": d.get("mechanism", {}).get("name", ""),
        "secretariat": d.get("mechanism", {}).get("issued_by", ""),
        "agreement": d.get("agreement_title") or d["agreement"],
        "published": (f"Published {moment(publication.published_at)}" if publication
                      else "Not published: a draft"),
        "published_on": moment(publication.published_at) if publication else "",
        "counted": moment(datetime.fromisoformat(d["issued_at"])),
        "summary": d.get("summary", []), "map": _map(d), **_chart(d),
        "incidents": d["incidents"], "killed": d["killed"],
        "statuses": _statuses(d), "governorates": _rows(d["by_governorate"]),
        "zones": _rows(d.get("by_zone", [])),
        "parties": _rows(d["by_reporting_party"]), "attribution": d.get("by_attribution", []),
        "before": "the day before" if days == 1 else f"the {days} days before",
        "notable": _notable(d, site), "unnamed": _unnamed(d),
        "verified": _verified(d), "checkpoint": d["checkpoint"], "witnessed": _witnessed(d),
        "size": f"{d['checkpoint']['size']:,}", "sha256": sha256,
        "checkpoint_at": moment(datetime.fromisoformat(d["checkpoint"]["at"])),
        "json_name": f"bulletin-{publication.number}.json" if publication else "its JSON",
    }}


def as_html(d: dict[str, Any], publication: Publication | None = None, site: str = "") -> str:
    """A document of its own (its style sheet inside), for mail, the archive and PDF."""
    return _templates.get_template("bulletin.html").render(
        **page_values(d, publication, site), stylesheet=stylesheet())


def stylesheet() -> str:
    css = resources.files("ceasefire.outputs").joinpath("templates/bulletin.css")
    return css.read_text(encoding="utf-8")


def as_markdown(d: dict[str, Any], publication: Publication | None = None,
                site: str = "") -> str:
    bp = page_values(d, publication, site)["bp"]
    return _templates.get_template("bulletin.md").render(bp=bp)
