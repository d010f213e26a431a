"""The map page: the selection form, the map as inline SVG with its legend written as
HTML beside it (legible on a phone, where the drawing shrinks), and the same counts as a
table (the map's accessible alternative). Each circle links to the incident list
narrowed to the area its incidents lie in; the selected agreement's zones are outlined.
/map.svg serves the drawing alone, its legend drawn in, for bulletins and downloads;
/public/map and /public/map.svg show confirmed incidents only and need no login.

A bad filter is answered on the page itself (422, the field named) with the form, so the
reader can correct it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from fastapi import APIRouter, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

from ceasefire.domain.bulletin import STATUSES
from ceasefire.domain.parties import Account
from ceasefire.domain.when import Period
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import syria
from ceasefire.http.deps import SessionDep
from ceasefire.outputs import maps
from ceasefire.services.map_counts import MapCache, MapCounts
from ceasefire.services.overview import Selection, agreement_of
from ceasefire.web.deps import WebAccount, WebAccountOrNone
from ceasefire.web.selection import Choices, choices, selection_from
from ceasefire.web.templating import render, root

router = APIRouter(include_in_schema=False)

PUBLIC_STATUSES = ("confirmed",)


@dataclass(frozen=True)
class Where:
    """Which variant of the map a request is for: its path and fixed statuses."""

    path: str  # "/map" or "/public/map"
    statuses: tuple[str, ...] | None  # fixed (public), or the reader's choice

    def selection(self, request: Request) -> Selection:
        return selection_from(request.query_params, statuses=self.statuses)


    @property
    def incidents(self) -> str:
        """The incident list the circles lead to."""
        return "/public/incidents" if self.statuses else "/incidents"


MEMBERS, PUBLIC = Where("/map", None), Where("/public/map", PUBLIC_STATUSES)


def _districts(request: Request) -> bool:
    shown = request.query_params.get("areas", "governorates")
    if shown not in ("governorates", "districts"):
        raise InvalidInput(f"{shown!r} is not one of governorates, districts", field="areas",
                           id=shown)
    return shown == "districts"


def _title(counts: MapCounts, where: Where) -> str:
    kind = "confirmed incidents" if where.statuses else "incidents"
    within = counts.view.within
    place = f"{syria().area(within).name} governorate by district" if within else (
        "Syria by district" if counts.view.level == 2 else "Syria by governorate")
    return f"Map of {kind}: {place}"


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


def _drawing(request: Request, session: Session, where: Where, *, standalone: bool = False,
             ) -> tuple[Choices, MapCounts, str, maps.Legend]:
    selection = where.selection(request)
    cache: MapCache = request.app.state.map_cache
    counts = cache.counts(session, selection, now=datetime.now(UTC),
                          districts=_districts(request), checked=where is PUBLIC)
    chosen = choices(session, selection)
    # The zones in force at some time of the period shown: one that ended before it, or
    # began after, is not the ground the period's incidents were judged on.
    shown = Period(_midnight(selection.since) or datetime.min.replace(tzinfo=UTC),
                   _midnight(selection.until))
    zones = tuple(z for z in agreement_of(session, chosen.agreement).zones
                  if z.period.meets(shown))
    base = f"{root(request)}{where.path}"
    listed = f"{root(request)}{where.incidents}"
    areas = syria()

    def link(pcode: str) -> str:  # to the governorate, zoomed: its districts
        return f"{base}?{chosen.query(adm=areas.codes_for(pcode).adm1)}"

    def cluster_link(pcode: str) -> str:  # to the incidents, narrowed to the area
        return f"{listed}?{chosen.query(adm=pcode)}"

    svg = maps.svg(counts.view, counts.by_area, counts.clusters, title=_title(counts, where),
                   link=link, standalone=standalone, cluster_link=cluster_link, zones=zones,
                   legend=standalone)
    legend = maps.legend_of(counts.view, counts.by_area, counts.clusters, zones, links=True)
    return chosen, counts, svg, legend


def _page(request: Request, session: Session, where: Where, account: Account | None,
          ) -> Response:
    try:
        chosen, counts, svg, legend = _drawing(request, session, where)
    except InvalidInput as exc:
        try:  # the form again, for the reader to correct the selection
            form: Choices | None = choices(session, Selection(statuses=where.statuses or ()))
        except InvalidInput:  # a record without an agreement has nothing to choose from
            form = None
        return render(request, "map.html", {
            "account": account, "error": exc, "where": where, "counts": None,
            "choices": form, "within": None}, status_code=exc.http_status)
    rows, _ = maps.areas(counts.view, counts.by_area)
    query = chosen.query()
    return render(request, "map.html", {
        "account": account, "error": None, "where": where, "choices": chosen,
        "counts": counts, "svg": Markup(svg), "legend": legend, "rows": rows,
        "title": _title(counts, where),
        "statuses": list(where.statuses or [s.value for s in STATUSES]), "query": query,
        "zoom_out": chosen.query(adm=None), "within": counts.view.within and
        syria().area(counts.view.within)})


def _svg(request: Request, session: Session, where: Where) -> Response:
    try:
        _, _, body, _ = _drawing(request, session, where, standalone=True)
    except InvalidInput as exc:
        return Response(f"{exc}\n", status_code=exc.http_status,
                        media_type="text/plain; charset=utf-8")
    return Response(body, media_type="image/svg+xml",
                    headers={"cache-control": "no-store"})


@router.get("/map")
def map_page(request: Request, account: WebAccount, session: SessionDep) -> Response:
    return _page(request, session, MEMBERS, account)


@router.get("/map.svg")
def map_svg(request: Request, account: WebAccount, session: SessionDep) -> Response:
    return _svg(request, session, MEMBERS)


@router.get("/public/map")
def public_map_page(request: Request, account: WebAccountOrNone,
                    session: SessionDep) -> Response:
    return _page(request, session, PUBLIC, account)


@router.get("/public/map.svg")
def public_map_svg(request: Request, session: SessionDep) -> Response:
    return _svg(request, session, PUBLIC)
