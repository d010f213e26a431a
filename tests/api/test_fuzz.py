"""Fuzzing the API against its own OpenAPI document (schemathesis), in-process.

Every operation the document lists is called with generated requests, valid and invalid,
as a guarantor officer and as the secretariat, on a record holding the shipped scenario
and a few reports. Every built-in check runs: no 5xx; a status, body schema, content type
and headers the document declares; valid data accepted and invalid data refused; the token
enforced (each operation again without it and with a bad one); undeclared methods answered
405 with a right Allow header. The few narrow exceptions are in CONFIG, each with its
reason.

Statuses: the document declares a `default` response (the error shape) on every operation,
so any status with an error body counts as declared; the bodies themselves are checked
against that shape.

Deterministic (a fixed seed, derandomised generation, no example database) and bounded
(MAX_EXAMPLES per operation); runs on both backends, since a 5xx can come from one
database's refusal (PostgreSQL's text type has no NUL character, SQLite's does).

Requests never leave the process: the schema is bound to an ASGI app (AppUnderTest), so
schemathesis sends every request, its own extra probes included, through its in-process
ASGI client. No base URL is configured, so a request that missed the app would fail
instead of going to the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI

from tests.api.seed import (
    ALEPPO_1,
    ALEPPO_2,
    IDLIB,
    INCIDENTS,
    RAQQA,
    TRUCE,
    app_for,
    offline_app,
    seeded_database,
)
from tests.conftest import BACKENDS

pytestmark = pytest.mark.slow  # schemathesis over every route

MAX_EXAMPLES = 25
CALLERS = {"guarantor": "ru-officer", "secretariat": "secretariat"}

# Values that exist in the seeded record, offered to the generator beside random ones, so
# requests reach past "not found" into the routes' own checks.
ACTORS = ["isil", "syrian-government", "syrian-opposition", "russian-forces"]
DICTIONARIES = {
    "incidents": {"values": INCIDENTS},
    "reports": {"values": [ALEPPO_1, ALEPPO_2, IDLIB, RAQQA]},
    "actors": {"values": ACTORS},
    "codes": {"values": [*ACTORS, "syria-2016", TRUCE]},
    "agreements": {"values": ["syria-2016", TRUCE]},
    "parties": {"values": ["RU", "TR", "IR", "UN", "SEC"]},
    "pcodes": {"values": ["SY02", "SY0200", "SY07", "SY0700"]},
}
HALF = 0.5
PARAMETERS = {
    "path.incident_id": {"dictionary": "incidents", "probability": HALF},
    "path.report_id": {"dictionary": "reports", "probability": HALF},
    "path.code": {"dictionary": "codes", "probability": HALF},
    "query.adm": {"dictionary": "pcodes", "probability": HALF},
    "query.actor": {"dictionary": "actors", "probability": HALF},
    "query.party": {"dictionary": "parties", "probability": HALF},
    "body.reports[*]": {"dictionary": "reports", "probability": HALF},
    "body.incidents[*]": {"dictionary": "incidents", "probability": HALF},
    "body.attributed_to": {"dictionary": "actors", "probability": HALF},
    "body.agreement": {"dictionary": "agreements", "probability": HALF},
    "body.perpetrators[*]": {"dictionary": "actors", "probability": HALF},
    "body.targets[*]": {"dictionary": "actors", "probability": HALF},
}

CONFIG = schemathesis.Config.from_dict({
    "seed": 20170123,  # the Astana talks
    "generation": {
        "deterministic": True, "database": "none", "max-examples": MAX_EXAMPLES,
        # The test sends the caller's token itself (a generated one is only ever invalid);
        # the `ignored_auth` check still sends each operation without it and with a bad one.
        "with-security-parameters": False,
        # Query parameters an operation does not read are ignored, as HTTP APIs do, so a
        # request with one is not an invalid request that must be refused.
        "allow-extra-parameters": False,
    },
    "dictionaries": DICTIONARIES,
    "parameters": PARAMETERS,
    "operations": [
        {
            # The document gives these inputs' shape; their meaning is checked against the
            # record and answered with a 422 naming the field, which a shape cannot say:
            # a report's place must lie in the boundaries or the gazetteer, its actors be
            # known, its time a `date` or an `earliest`, not both; a cursor must come from
            # an earlier page; a split names some but not all of the incident's reports; a
            # merge two different incidents; a verdict its agreement when several apply;
            # a consistency proof's first size must not exceed its second; a new actor's
            # code must be free and its names no other actor's, a merge two live actors; an
            # amendment's (or proposal's) date a moment, its change one the terms already
            # agreed allow.
            "include-name": ["POST /api/v1/reports", "GET /api/v1/reports",
                             "POST /api/v1/agreements/{code}/amendments",
                             "POST /api/v1/agreements/{code}/proposals",
                             "POST /api/v1/actors", "POST /api/v1/actors/{code}/aliases",
                             "POST /api/v1/actors/{code}/merge",
                             "GET /api/v1/ledger/proofs/consistency",
                             "GET /api/v1/incidents", "POST /api/v1/incidents/merge",
                             "POST /api/v1/incidents/{incident_id}/split",
                             "POST /api/v1/incidents/{incident_id}/verdicts"],
            "checks": {"positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}},
        },
        {
            # ReportIn also reads the file importers' rows, whose cells are text, so its
            # scalars are read leniently: "3" as 3, "false" or 0 as false. A body the
            # document calls invalid for such a value may be stored; every value is still
            # checked for range and meaning, and the other checks still apply here.
            "include-name": "POST /api/v1/reports",
            "checks": {"negative_data_rejection": {"enabled": False}},
        },
    ],
})


class AppUnderTest:
    """The ASGI app schemathesis calls: it hands each request to the app of the database
    the module fixture built (the schema needs an app when tests are collected, before any
    database exists)."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None, "no app under test: use the `fuzzed` fixture"
        await self.app(scope, receive, send)


APP = AppUnderTest()
schema = schemathesis.openapi.from_dict(offline_app().openapi(), config=CONFIG)
schema.app = APP


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    # Module-wide, unlike the suite's: one seeded database per backend for every case.
    return request.param


@pytest.fixture(scope="module")
def fuzzed(backend: str, request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with seeded_database(backend, request, tmp_path_factory.mktemp("fuzz")) as (db, tokens):
        APP.app = app_for(db)
        try:
            yield tokens
        finally:
            APP.app = None


@pytest.mark.parametrize("caller", sorted(CALLERS))
@schema.parametrize()
def test_the_api_keeps_to_its_schema(case: schemathesis.Case, fuzzed: dict[str, str],
                                     caller: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzzed[CALLERS[caller]]}"})
