"""A record to point the API checks at: the shipped scenario, a second agreement that only
some guarantors guarantee, and a few reports with fixed ids (so their incidents' ids are
known before the database is built, as the fuzzer's dictionaries need them)."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from fastapi import FastAPI

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.domain import Area, Period, QuorumRule, ViolationType
from ceasefire.domain.agreement import AmendedBy
from ceasefire.services.correlation import incident_uid
from ceasefire.services.imports import import_file
from ceasefire.services.scenarios import add_agreement, load_scenario
from ceasefire.store.db import Database
from tests.conftest import _database
from tests.factories import make_agreement

# Guaranteed by TR and IR only: RU's officer may not cast a verdict under it.
TRUCE = "aleppo-truce"

_NS = uuid.UUID("0c6f1f9e-5d2a-4f0b-9a51-2b1e0d7c9e11")


def _id(name: str) -> str:
    return str(uuid.uuid5(_NS, name))


ALEPPO_1, ALEPPO_2, IDLIB, RAQQA = (_id(n) for n in ("aleppo-1", "aleppo-2", "idlib", "raqqa"))
REPORTS = [
    # Two accounts of one shelling in eastern Aleppo: one incident, covered by both
    # agreements.
    {"id": ALEPPO_1, "when": {"earliest": "2017-01-15T10:00:00Z"},
     "place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling",
     "perpetrators": ["syrian-government"], "targets": ["syrian-opposition"],
     "narrative": "Shelling of the eastern districts."},
    {"id": ALEPPO_2, "when": {"earliest": "2017-01-15T10:00:00Z"},
     "place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling",
     "perpetrators": ["syrian-government"], "targets": ["syrian-opposition"],
     "narrative": "Artillery fire on the eastern districts."},
    # Idlib: covered by the nationwide ceasefire only.
    {"id": IDLIB, "when": {"date": "2017-02-10"}, "place": {"lat": 35.9306, "lon": 36.6339},
     "violation": "air_strike", "perpetrators": ["russian-forces"], "targets": ["civilians"],
     "casualties": {"best": 4, "civilian": 4}, "narrative": "An air strike on the market."},
    # An excluded group's attack: not covered, no verdict asked for.
    {"id": RAQQA, "when": {"date": "2017-03-01"}, "place": {"lat": 35.9528, "lon": 39.0079},
     "violation": "shelling", "perpetrators": ["isil"], "targets": ["syrian-government"],
     "narrative": "Mortar fire on a checkpoint."},
]
INCIDENTS = [incident_uid(r) for r in (ALEPPO_1, IDLIB, RAQQA)]


def seed(db: Database, scenario, *, workdir: Path) -> dict[str, str]:
    """Load the record into an empty database; returns the scenario's API tokens."""
    tokens = load_scenario(db, scenario).tokens
    add_agreement(db, make_agreement(
        code=TRUCE, title="Aleppo truce", period=Period(datetime(2017, 1, 1, tzinfo=UTC)),
        area=Area(pcodes=frozenset({"SY02"})),
        prohibited=frozenset({ViolationType.SHELLING, ViolationType.AIR_STRIKE}),
        guarantors=("TR", "IR"), quorum=QuorumRule.MAJORITY,
        amended_by=AmendedBy.GUARANTORS))  # by their consent, not the secretariat's
    path = workdir / "seed.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in REPORTS))
    import_file(db, path, format="jsonl", party="RU")
    return tokens


def app_for(db: Database) -> FastAPI:
    return create_app(Settings(database_url=db.url.render_as_string(hide_password=False)),
                      database=db)


def offline_app() -> FastAPI:
    """The app with a database that is never opened: for reading its routes and its
    OpenAPI document when tests are collected."""
    url = f"sqlite:///{tempfile.gettempdir()}/ceasefire-never-opened.db"
    return create_app(Settings(database_url=url), database=Database(url))


@contextmanager
def seeded_database(backend: str, request: pytest.FixtureRequest,
                    workdir: Path) -> Iterator[tuple[Database, dict[str, str]]]:
    """A seeded database on ``backend`` for a module's worth of tests."""
    with contextmanager(_database)(backend, request, workdir) as db:
        yield db, seed(db, request.getfixturevalue("syria_scenario"), workdir=workdir)
