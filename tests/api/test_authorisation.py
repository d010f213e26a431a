"""Who may use which endpoint: every route the app serves × every kind of caller.

The routes are read from the app itself (included routers and mounted apps too), and
POLICY says for each what every caller gets. A route without a line in POLICY fails here,
naming the route: a new endpoint cannot ship before someone decides who may use it.

Each request is a real one (a valid body, ids that exist), so "allow" means the request got
past authorisation and did its work (a 2xx), and "deny" means exactly the status in the
table (401: no or a bad token; 403: a role or party that may not) with the database
unchanged.

Runs on SQLite only: authorisation does not depend on the backend. A token is looked up by
its hash in one query that both backends answer alike (tests/api/test_api.py and the
verification tests cover that query on both), and every decision on roles and parties is
made in Python on the account it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from ceasefire.domain.actors import Actor
from ceasefire.domain.agreement import Position
from ceasefire.domain.amendment import amendment_of
from ceasefire.domain.bulletin import days
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import actors, bulletins, proposals, verification
from ceasefire.services.reports import submit_report
from ceasefire.store.db import Database
from tests.api.seed import (
    ALEPPO_1,
    ALEPPO_2,
    INCIDENTS,
    TRUCE,
    app_for,
    offline_app,
    seeded_database,
)
from tests.fingerprint import fingerprint

# --- the policy -----------------------------------------------------------------------------

OK = "allow"
CALLERS = ("secretariat", "guarantor", "observer", "analyst", "public", "bad-token")
PUBLIC = (OK, OK, OK, OK, OK, OK)  # a bad token on a public route is ignored
MEMBERS = (OK, OK, OK, OK, 401, 401)  # any account, whatever its role
# Web pages take a login session, never an API token: without one, to the login page.
LOGIN = "login"
PAGE = (LOGIN,) * 6
# A form POST without its CSRF token is refused, whoever sends it (docs/security.md).
FORM = (403,) * 6

# "METHOD /path", and after it the party the request acts for where a route acts for one.
POLICY: dict[str, tuple[str | int, ...]] = {
    # route                                                 sec  guar obs  anal none bad
    "GET /openapi.json":                                    PUBLIC,
    "HEAD /openapi.json":                                   PUBLIC,
    "GET /docs":                                            PUBLIC,
    "GET /static-offline-docs/{path}":                      PUBLIC,
    "HEAD /static-offline-docs/{path}":                     PUBLIC,
    "GET /health":                                          PUBLIC,
    "GET /api/v1/me":                                       MEMBERS,
    "GET /api/v1/parties":                                  PUBLIC,
    "GET /api/v1/actors":                                   PUBLIC,
    "GET /api/v1/actors/{code}":                            PUBLIC,
    "POST /api/v1/actors":                                  (OK,  403, 403, 403, 401, 401),
    "POST /api/v1/actors/{code}/aliases":                   (OK,  403, 403, 403, 401, 401),
    "POST /api/v1/actors/{code}/merge":                     (OK,  403, 403, 403, 401, 401),
    "GET /api/v1/agreements":                               PUBLIC,
    "GET /api/v1/agreements/{code}":                        PUBLIC,
    "GET /api/v1/agreements/{code}/amendments":             PUBLIC,
    "POST /api/v1/agreements/{code}/amendments":            (OK,  403, 403, 403, 401, 401),
    # The truce's guarantors (TR, IR) amend it; the guarantor calling is RU's.
    "GET /api/v1/agreements/{code}/proposals":              PUBLIC,
    "POST /api/v1/agreements/{code}/proposals":             (OK,  403, 403, 403, 401, 401),
    "POST /api/v1/agreements/{code}/proposals/{proposal}/consent":
                                                            (403, 403, 403, 403, 401, 401),
    "POST /api/v1/agreements/{code}/proposals/{proposal}/objection":
                                                            (403, 403, 403, 403, 401, 401),
    "GET /api/v1/violation-types":                          PUBLIC,
    "GET /api/v1/geo/locate":                               PUBLIC,
    "POST /api/v1/reports":                                 (OK,  OK,  OK,  403, 401, 401),
    "GET /api/v1/reports":                                  MEMBERS,
    "GET /api/v1/reports/{report_id}":                      MEMBERS,
    "GET /api/v1/incidents":                                MEMBERS,
    "GET /api/v1/incidents/{incident_id}":                  MEMBERS,
    "POST /api/v1/incidents/{incident_id}/split":           (OK,  403, 403, OK,  401, 401),
    "POST /api/v1/incidents/merge":                         (OK,  403, 403, OK,  401, 401),
    "GET /api/v1/incidents/{incident_id}/standing":         MEMBERS,
    "POST /api/v1/incidents/{incident_id}/verdicts own":    (403, OK,  403, 403, 401, 401),
    "POST /api/v1/incidents/{incident_id}/verdicts other":  (403, 403, 403, 403, 401, 401),
    "GET /api/v1/queue own":                                MEMBERS,
    "GET /api/v1/ledger/checkpoint":                        PUBLIC,
    "GET /api/v1/ledger/keys":                              PUBLIC,
    "GET /api/v1/ledger/proofs/inclusion":                  PUBLIC,
    "GET /api/v1/ledger/proofs/consistency":                PUBLIC,
    "GET /api/v1/ledger/witnessed":                         PUBLIC,
    "GET /checkpoint":                                      PUBLIC,  # the log's tiles
    "GET /tile/{path}":                                     PUBLIC,
    "GET /tile/entries/{path}":                             PUBLIC,
    "GET /writes/{path}":                                   PUBLIC,
    "GET /api/v1/ledger/entries/{seq}":                     MEMBERS,
    "GET /docs/swagger-init.js":                            PUBLIC,
    "GET /static/{path}":                                   PUBLIC,
    "HEAD /static/{path}":                                  PUBLIC,
    "GET /login":                                           PUBLIC,
    "POST /login":                                          FORM,
    "POST /logout":                                         FORM,
    "GET /":                                                PUBLIC,  # the public home
    "GET /dashboard":                                       PAGE,
    "GET /incidents":                                       PAGE,
    "GET /incidents/{uid}":                                 PAGE,
    "GET /incidents/export.{fmt}":                          PAGE,
    "GET /favicon.ico":                                     PUBLIC,
    "GET /public/bulletins/bulletin.css":                    PUBLIC,
    "GET /reports/pick-map.svg":                            PAGE,
    "POST /incidents/{uid}/verdict":                        FORM,
    "POST /incidents/{uid}/split":                          FORM,
    "POST /incidents/{uid}/merge":                          FORM,
    "GET /queue":                                           PAGE,
    "GET /reports/new":                                     PAGE,
    "POST /reports/new":                                    FORM,
    "GET /public/incidents":                                PUBLIC,
    "GET /public/incidents/{uid}":                          PUBLIC,
    "GET /map":                                             PAGE,
    "GET /map.svg":                                         PAGE,
    "GET /public/map":                                      PUBLIC,
    "GET /public/map.svg":                                  PUBLIC,
    "GET /bulletins":                                       PAGE,
    "GET /actors":                                          PAGE,
    "GET /agreements":                                      PAGE,
    "POST /agreements/{code}/amendments":                   FORM,
    "POST /agreements/{code}/proposals":                    FORM,
    "POST /agreements/{code}/proposals/{proposal}/consent": FORM,
    "POST /agreements/{code}/proposals/{proposal}/objection": FORM,
    "POST /actors":                                         FORM,
    "POST /actors/alias":                                   FORM,
    "POST /actors/merge":                                   FORM,
    "POST /bulletins":                                      FORM,
    "GET /public/bulletins":                                PUBLIC,
    "GET /public/bulletins/{bulletin_id}":                  PUBLIC,
    "GET /public/bulletins/{bulletin_id}.pdf":              PUBLIC,
    "GET /public/bulletins/{bulletin_id}.json":             PUBLIC,
    "GET /public/bulletins/{bulletin_id}.md":               PUBLIC,
}

# The account each caller uses (from the shipped scenario), and its party.
ACCOUNTS = {"secretariat": ("secretariat", "SEC"), "guarantor": ("ru-officer", "RU"),
            "observer": ("un-monitor", "UN"), "analyst": ("analyst", "UN")}
ERROR_CODES = {401: "unauthenticated", 403: "forbidden"}


# --- the app's routes -----------------------------------------------------------------------

STATIC_METHODS = ("GET", "HEAD")


def endpoints(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[str]:
    """"METHOD /path" for every endpoint: included routers are walked (FastAPI keeps them as
    nested objects), and so are mounted apps; a mounted app with no routes of its own (the
    docs' static files) is one endpoint, its path ending in {path}."""
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, Mount):
            inner = route.routes
            if inner:
                yield from endpoints(inner, prefix + route.path)
            else:
                methods = STATIC_METHODS if isinstance(route.app, StaticFiles) else ("ANY",)
                for method in methods:
                    yield f"{method} {prefix}{route.path}/{{path}}"
            continue
        path = prefix + context.path_format  # without convertors: {id}, not {id:uuid}
        methods = context.methods
        if methods is None:  # a websocket or another kind: still needs a decision
            yield f"{type(route).__name__.upper()} {path}"
            continue
        for method in sorted(methods):
            yield f"{method} {path}"


def route_of(key: str) -> str:
    """The "METHOD /path" a POLICY key is about."""
    return " ".join(key.split(" ")[:2])


ROUTES = sorted(set(endpoints(offline_app().routes)))


def cases() -> Iterator[Any]:
    for route in ROUTES:
        keys = [k for k in POLICY if route_of(k) == route]
        if not keys:  # fails, once, naming the route
            yield pytest.param(route, "", id=f"{route} | no policy")
        for key in keys:
            for caller in CALLERS:
                yield pytest.param(key, caller, id=f"{key} | {caller}")


def test_the_route_walk_finds_nested_routers_and_mounted_apps():
    inner = APIRouter(prefix="/inner")
    inner.add_api_route("/leaf", lambda: None, methods=["PUT"])
    outer = APIRouter(prefix="/outer")
    outer.include_router(inner)
    outer.add_api_route("/", lambda: None, methods=["GET", "POST"])
    mounted = FastAPI(openapi_url=None)
    mounted.include_router(outer)
    app = FastAPI(openapi_url=None)
    app.include_router(outer, prefix="/v2")
    app.mount("/sub", mounted)
    assert sorted(endpoints(app.routes)) == [
        "GET /sub/outer/", "GET /v2/outer/", "POST /sub/outer/", "POST /v2/outer/",
        "PUT /sub/outer/inner/leaf", "PUT /v2/outer/inner/leaf"]


def test_every_policy_line_is_about_a_route_the_app_serves():
    stale = sorted(k for k in POLICY if route_of(k) not in ROUTES)
    assert not stale, f"POLICY names routes the app does not serve: {stale}"


# --- real requests --------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    url: str
    json: Any = None
    form: dict[str, str] | None = None  # a web form's fields
    # Run on a 2xx answer: what an allowed request must have done.
    then: Callable[[Any], None] | None = None


@dataclass
class World:
    client: TestClient
    db: Database
    tokens: dict[str, str]
    _days: Iterator[int] = field(default_factory=count)
    _bulletin: int | None = None

    def bulletin(self) -> int:
        """A published bulletin's id (published once, by the secretariat)."""
        if self._bulletin is None:
            self._bulletin = bulletins.publish(
                self.db, days(date(2017, 1, 1), date(2017, 1, 31)),
                agreement="syria-2016", username="secretariat").id
        return self._bulletin

    def report(self, *, where: tuple[float, float] = (35.9306, 36.6339), copies: int = 1,
               ) -> tuple[str, list[str]]:
        """A new incident of its own (a day no other report is on) with ``copies`` reports
        of it; its id and the reports' ids."""
        day = date(2017, 4, 1) + timedelta(days=7 * next(self._days))
        body = ReportIn.model_validate({
            "when": {"date": day.isoformat()}, "place": {"lat": where[0], "lon": where[1]},
            "violation": "shelling", "perpetrators": ["syrian-government"],
            "targets": ["syrian-opposition"]})
        done = [submit_report(self.db, body, party="SEC") for _ in range(copies)]
        incidents = {d.incident for d in done}
        assert len(incidents) == 1 and None not in incidents, incidents
        return done[0].incident, [d.report.id for d in done]


ALEPPO = (36.2021, 37.1343)  # under the truce that RU does not guarantee, and the ceasefire


def _answers_for(party: str) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        assert body["party"] == party, f"the queue of {body['party']}, not the caller's {party}"
    return check


def _submitted_by(party: str) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        assert body["submitted_by"] == party
    return check


def _split(w: World, party: str) -> Request:
    incident, reports = w.report(copies=2)
    return Request("POST", f"/api/v1/incidents/{incident}/split",
                   {"reports": reports[1:], "reason": "two events"})


def _merge(w: World, party: str) -> Request:
    first, _ = w.report()
    second, _ = w.report()
    return Request("POST", "/api/v1/incidents/merge",
                   {"incidents": [first, second], "reason": "one event"})


_actor_codes = count()


def _new_actor(w: World) -> str:
    """A new actor of the registry's own, added by the secretariat."""
    code = f"probe-group-{next(_actor_codes)}"
    actors.add_actor(w.db, Actor(code, f"Probe group {code[12:]}"), party="SEC")
    return code


def _actor_added(w: World, party: str) -> Request:
    code = f"probe-added-{next(_actor_codes)}"
    return Request("POST", "/api/v1/actors", {"code": code, "name": f"Added group {code}"})


def _alias_added(w: World, party: str) -> Request:
    return Request("POST", f"/api/v1/actors/{_new_actor(w)}/aliases",
                   {"text": f"Also called {next(_actor_codes)}", "lang": "en"})


def _actor_merged(w: World, party: str) -> Request:
    return Request("POST", f"/api/v1/actors/{_new_actor(w)}/merge",
                   {"into": "fsa", "reason": "one group"})


def _amended(w: World, party: str) -> Request:
    return Request("POST", "/api/v1/agreements/syria-2016/amendments", {
        "change": "actor-status", "actor": _new_actor(w), "status": "excluded",
        "effective": "2017-06-01", "reason": "named by the guarantors"})


def _change() -> dict[str, str]:
    return {"change": "zone-added", "zone": f"probe-zone-{next(_actor_codes)}",
            "name": "Probe zone", "area": ["SY0200"], "effective": "2030-01-01",
            "reason": "a probe"}


def _proposed(w: World) -> int:
    """A proposal to the truce, tabled by the secretariat."""
    given = _change()
    return proposals.propose(w.db, amendment_of(TRUCE, **{
        k: v for k, v in given.items() if k != "area"}, pcodes=given["area"]),
        username="secretariat").proposal.id


def _verdict(w: World, party: str, *, agreement: str | None,
             where: tuple[float, float] = (35.9306, 36.6339)) -> Request:
    incident, _ = w.report(where=where)
    return Request("POST", f"/api/v1/incidents/{incident}/verdicts",
                   {"position": "confirm", "version": 0, "agreement": agreement})


def _confirmed(w: World) -> str:
    """A new incident that all three guarantors of the ceasefire confirmed."""
    incident, _ = w.report()
    version = 0
    for officer in ("ru-officer", "tr-officer", "ir-officer"):
        version = verification.cast(w.db, None, incident, username=officer,
                                    position=Position.CONFIRM, seen_version=version,
                                    agreement="syria-2016").version
    return incident


# How to make each request of POLICY: (world, the caller's party or None) -> Request.
PROBES: dict[str, Callable[[World, str], Request]] = {
    "GET /openapi.json": lambda w, p: Request("GET", "/openapi.json"),
    "HEAD /openapi.json": lambda w, p: Request("HEAD", "/openapi.json"),
    "GET /docs": lambda w, p: Request("GET", "/docs"),
    "GET /static-offline-docs/{path}":
        lambda w, p: Request("GET", "/static-offline-docs/swagger-ui.css"),
    "HEAD /static-offline-docs/{path}":
        lambda w, p: Request("HEAD", "/static-offline-docs/swagger-ui.css"),
    "GET /health": lambda w, p: Request("GET", "/health"),
    "GET /api/v1/me": lambda w, p: Request("GET", "/api/v1/me"),
    "GET /api/v1/parties": lambda w, p: Request("GET", "/api/v1/parties"),
    "GET /api/v1/actors": lambda w, p: Request("GET", "/api/v1/actors?name=Daesh"),
    "GET /api/v1/actors/{code}": lambda w, p: Request("GET", "/api/v1/actors/isil"),
    "POST /api/v1/actors": _actor_added,
    "POST /api/v1/actors/{code}/aliases": _alias_added,
    "POST /api/v1/actors/{code}/merge": _actor_merged,
    "GET /api/v1/agreements": lambda w, p: Request("GET", "/api/v1/agreements"),
    "GET /api/v1/agreements/{code}": lambda w, p: Request("GET", f"/api/v1/agreements/{TRUCE}"),
    "GET /api/v1/agreements/{code}/amendments":
        lambda w, p: Request("GET", "/api/v1/agreements/syria-2016/amendments"),
    "POST /api/v1/agreements/{code}/amendments": _amended,
    "GET /api/v1/agreements/{code}/proposals":
        lambda w, p: Request("GET", f"/api/v1/agreements/{TRUCE}/proposals"),
    "POST /api/v1/agreements/{code}/proposals":
        lambda w, p: Request("POST", f"/api/v1/agreements/{TRUCE}/proposals", _change()),
    "POST /api/v1/agreements/{code}/proposals/{proposal}/consent": lambda w, p: Request(
        "POST", f"/api/v1/agreements/{TRUCE}/proposals/{_proposed(w)}/consent"),
    "POST /api/v1/agreements/{code}/proposals/{proposal}/objection": lambda w, p: Request(
        "POST", f"/api/v1/agreements/{TRUCE}/proposals/{_proposed(w)}/objection",
        {"reason": "no"}),
    "GET /api/v1/violation-types": lambda w, p: Request("GET", "/api/v1/violation-types"),
    "GET /api/v1/geo/locate":
        lambda w, p: Request("GET", "/api/v1/geo/locate?lat=36.2021&lon=37.1343"),
    "POST /api/v1/reports": lambda w, p: Request(
        "POST", "/api/v1/reports",
        {"when": {"date": "2017-01-20"}, "place": {"name": "Douma"}, "violation": "shelling",
         "narrative": "Mortar fire."}, then=_submitted_by(p)),
    "GET /api/v1/reports": lambda w, p: Request("GET", "/api/v1/reports?party=RU"),
    "GET /api/v1/reports/{report_id}": lambda w, p: Request("GET", f"/api/v1/reports/{ALEPPO_1}"),
    "GET /api/v1/incidents": lambda w, p: Request("GET", "/api/v1/incidents?adm=SY02"),
    "GET /api/v1/incidents/{incident_id}":
        lambda w, p: Request("GET", f"/api/v1/incidents/{INCIDENTS[0]}"),
    "POST /api/v1/incidents/{incident_id}/split": _split,
    "POST /api/v1/incidents/merge": _merge,
    "GET /api/v1/incidents/{incident_id}/standing":
        lambda w, p: Request("GET", f"/api/v1/incidents/{INCIDENTS[0]}/standing"),
    # The nationwide ceasefire, which RU guarantees.
    "POST /api/v1/incidents/{incident_id}/verdicts own":
        lambda w, p: _verdict(w, p, agreement=None),
    # The truce, which RU does not guarantee.
    "POST /api/v1/incidents/{incident_id}/verdicts other":
        lambda w, p: _verdict(w, p, agreement=TRUCE, where=ALEPPO),
    # The queue is the caller's own party's; naming another is refused (test_parameters).
    "GET /api/v1/queue own": lambda w, p: Request("GET", "/api/v1/queue",
                                                   then=_answers_for(p)),
    "GET /api/v1/ledger/checkpoint": lambda w, p: Request("GET", "/api/v1/ledger/checkpoint"),
    "GET /api/v1/ledger/keys": lambda w, p: Request("GET", "/api/v1/ledger/keys"),
    "GET /api/v1/ledger/proofs/inclusion":
        lambda w, p: Request("GET", "/api/v1/ledger/proofs/inclusion?seq=1"),
    "GET /api/v1/ledger/witnessed": lambda w, p: Request("GET", "/api/v1/ledger/witnessed"),
    "GET /checkpoint": lambda w, p: Request("GET", "/checkpoint"),
    "GET /tile/{path}": lambda w, p: Request("GET", "/tile/0/000.p/1"),
    "GET /tile/entries/{path}": lambda w, p: Request("GET", "/tile/entries/000.p/1"),
    "GET /writes/{path}": lambda w, p: Request("GET", "/writes/000.p/1"),
    "GET /api/v1/ledger/proofs/consistency":
        lambda w, p: Request("GET", "/api/v1/ledger/proofs/consistency?first=1"),
    "GET /api/v1/ledger/entries/{seq}": lambda w, p: Request("GET", "/api/v1/ledger/entries/1"),
    "GET /docs/swagger-init.js": lambda w, p: Request("GET", "/docs/swagger-init.js"),
    "GET /static/{path}": lambda w, p: Request("GET", "/static/app.css"),
    "HEAD /static/{path}": lambda w, p: Request("HEAD", "/static/app.css"),
    "GET /login": lambda w, p: Request("GET", "/login"),
    "POST /login": lambda w, p: Request("POST", "/login", form={
        "username": "ru-officer", "password": "any password at all"}),
    "POST /logout": lambda w, p: Request("POST", "/logout", form={}),
    "GET /": lambda w, p: Request("GET", "/"),
    "GET /incidents/export.{fmt}": lambda w, p: Request("GET", "/incidents/export.csv"),
    "GET /favicon.ico": lambda w, p: Request("GET", "/favicon.ico"),
    "GET /public/bulletins/bulletin.css":
        lambda w, p: Request("GET", "/public/bulletins/bulletin.css"),
    "GET /reports/pick-map.svg": lambda w, p: Request("GET", "/reports/pick-map.svg"),
    "GET /dashboard": lambda w, p: Request("GET", "/dashboard"),
    "GET /incidents": lambda w, p: Request("GET", "/incidents"),
    "GET /incidents/{uid}": lambda w, p: Request("GET", f"/incidents/{INCIDENTS[0]}"),
    "POST /incidents/{uid}/verdict": lambda w, p: Request(
        "POST", f"/incidents/{INCIDENTS[0]}/verdict",
        form={"position": "confirm", "version": "0", "agreement": "syria-2016"}),
    "POST /incidents/{uid}/split": lambda w, p: Request(
        "POST", f"/incidents/{INCIDENTS[0]}/split",
        form={"reports": ALEPPO_2, "seen": [ALEPPO_1, ALEPPO_2], "reason": "two events"}),
    "POST /incidents/{uid}/merge": lambda w, p: Request(
        "POST", f"/incidents/{INCIDENTS[0]}/merge",
        form={"other": INCIDENTS[1], "seen": [ALEPPO_1, ALEPPO_2], "reason": "one event"}),
    "GET /queue": lambda w, p: Request("GET", "/queue"),
    "GET /reports/new": lambda w, p: Request("GET", "/reports/new"),
    "POST /reports/new": lambda w, p: Request("POST", "/reports/new", form={
        "date": "2017-01-20", "place": "Douma", "violation": "shelling"}),
    "GET /public/incidents": lambda w, p: Request("GET", "/public/incidents"),
    "GET /public/incidents/{uid}":
        lambda w, p: Request("GET", f"/public/incidents/{_confirmed(w)}"),
    "GET /map": lambda w, p: Request("GET", "/map?adm=SY02"),
    "GET /map.svg": lambda w, p: Request("GET", "/map.svg"),
    "GET /public/map": lambda w, p: Request("GET", "/public/map?adm=SY02"),
    "GET /public/map.svg": lambda w, p: Request("GET", "/public/map.svg"),
    "GET /bulletins": lambda w, p: Request("GET", "/bulletins"),
    "GET /actors": lambda w, p: Request("GET", "/actors"),
    "GET /agreements": lambda w, p: Request("GET", "/agreements"),
    "POST /agreements/{code}/amendments": lambda w, p: Request(
        "POST", "/agreements/syria-2016/amendments", form={
            "change": "agreement-ended", "effective": "2030-01-01", "reason": "a form"}),
    "POST /agreements/{code}/proposals": lambda w, p: Request(
        "POST", f"/agreements/{TRUCE}/proposals", form={
            "change": "agreement-ended", "effective": "2030-01-01", "reason": "a form"}),
    "POST /agreements/{code}/proposals/{proposal}/consent": lambda w, p: Request(
        "POST", f"/agreements/{TRUCE}/proposals/{_proposed(w)}/consent", form={}),
    "POST /agreements/{code}/proposals/{proposal}/objection": lambda w, p: Request(
        "POST", f"/agreements/{TRUCE}/proposals/{_proposed(w)}/objection",
        form={"reason": "a form"}),
    "POST /actors": lambda w, p: Request("POST", "/actors", form={
        "code": "page-group", "name": "Page group"}),
    "POST /actors/alias": lambda w, p: Request("POST", "/actors/alias", form={
        "actor": "fsa", "text": "Free Army", "lang": "en"}),
    "POST /actors/merge": lambda w, p: Request("POST", "/actors/merge", form={
        "actor": "fsa", "into": "syrian-opposition", "reason": "one group"}),
    "POST /bulletins": lambda w, p: Request("POST", "/bulletins", form={
        "from": "2017-01-01", "to": "2017-01-31", "agreement": "syria-2016"}),
    "GET /public/bulletins": lambda w, p: Request("GET", "/public/bulletins"),
    "GET /public/bulletins/{bulletin_id}":
        lambda w, p: Request("GET", f"/public/bulletins/{w.bulletin()}"),
    "GET /public/bulletins/{bulletin_id}.pdf":
        lambda w, p: Request("GET", f"/public/bulletins/{w.bulletin()}.pdf"),
    "GET /public/bulletins/{bulletin_id}.json":
        lambda w, p: Request("GET", f"/public/bulletins/{w.bulletin()}.json"),
    "GET /public/bulletins/{bulletin_id}.md":
        lambda w, p: Request("GET", f"/public/bulletins/{w.bulletin()}.md"),
}


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("authz")
    with (seeded_database("sqlite", request, workdir) as (db, tokens),
          TestClient(app_for(db)) as client):
        yield World(client, db, tokens)


def _headers(world: World, caller: str) -> dict[str, str]:
    if caller == "public":
        return {}
    if caller == "bad-token":
        return {"Authorization": "Bearer cfm_not-a-token-anyone-was-given"}
    return {"Authorization": f"Bearer {world.tokens[ACCOUNTS[caller][0]]}"}


@pytest.mark.parametrize(("key", "caller"), list(cases()))
def test_who_may_use_each_route(world: World, key: str, caller: str) -> None:
    if key not in POLICY:
        pytest.fail(f"{key} has no line in POLICY: decide who may use it "
                    f"({', '.join(CALLERS)}) and add one, with a probe in PROBES")
    if key not in PROBES:
        pytest.fail(f"{key} has no probe in PROBES: add a real request for it")
    expected = POLICY[key][CALLERS.index(caller)]
    party = ACCOUNTS[caller][1] if caller in ACCOUNTS else ""
    probe = PROBES[key](world, party)
    before = fingerprint(world.db) if expected != OK else None
    response = world.client.request(probe.method, probe.url, json=probe.json,
                                    data=probe.form, headers=_headers(world, caller),
                                    follow_redirects=False)
    if expected == LOGIN:
        assert response.status_code == 303, (key, caller, response.status_code)
        assert response.headers["location"].endswith("/login")
        assert fingerprint(world.db) == before
        return
    if expected == OK:
        assert 200 <= response.status_code < 300, (
            f"{key} as {caller}: expected to be allowed, got {response.status_code} "
            f"{response.text[:300]}")
        if probe.then is not None:
            probe.then(response.json())
        return
    assert response.status_code == expected, (
        f"{key} as {caller}: expected {expected}, got {response.status_code} "
        f"{response.text[:300]}")
    if response.headers["content-type"].startswith("application/json"):
        assert response.json()["error"]["code"] == ERROR_CODES[expected]
    else:  # a web page says so in HTML
        assert response.headers["content-type"].startswith("text/html")
    assert fingerprint(world.db) == before, f"{key} as {caller} was refused but changed the record"
