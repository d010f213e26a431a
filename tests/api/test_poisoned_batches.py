"""One party's bad value is refused by name, and fails only its own submission: never the
other parties' reports that shared its batch (issue 15, defect 4)."""

from __future__ import annotations

import asyncio
import json

import httpx2 as httpx
import pytest

from ceasefire.api import batching
from ceasefire.domain.actors import UnknownActor
from ceasefire.intake.report_in import ReportIn
from ceasefire.services.reports import Submission, Submitted, submit_reports
from ceasefire.store.reports import ReportWriter, count_reports
from tests.api.conftest import bearer
from tests.api.test_reports_api import SHELLING

# What one party sent, and the field its refusal must name.
POISON = [
    ({"casualties": {"best": 2 ** 60}}, "casualties.best"),
    ({"casualties": {"best": 2 ** 63}}, "casualties.best"),
    ({"casualties": {"best": 10 ** 30}}, "casualties.best"),
    ({"casualties": {"best": 3, "high": 2 ** 31}}, "casualties.high"),
    ({"narrative": "Shells hit \ud800 the market."}, "narrative"),
    ({"source": {"name": "TR field team \udfff"}}, "source.name"),
    ({"when": {"date": "9999-12-31"}}, "when.date"),
    ({"when": {"date": "0001-01-01"}}, "when.date"),
    ({"when": {"earliest": "0001-01-01T00:00:00+02:00"}}, "when.earliest"),
    ({"when": {"earliest": "2017-01-05T00:00:00Z", "latest": "9999-12-31T23:59:59-05:00",
               "precision": "year"}}, "when.latest"),
    ({"source": {"name": "RU", "published": "9999-12-31T23:59:59Z"}}, "source.published"),
]


def _raw(body: dict) -> bytes:
    # json.dumps escapes a lone surrogate ("\ud800"), as a client's JSON library would
    # send it; the server's parser turns it back into one.
    return json.dumps(body).encode()


def _post(client, token: str, body: dict):
    return client.post("/api/v1/reports", content=_raw(body),
                       headers={**bearer(token), "Content-Type": "application/json"})


@pytest.mark.parametrize(("change", "field"), POISON)
def test_a_poison_value_is_refused_by_name_and_stores_nothing(client, tokens, change, field):
    response = _post(client, tokens["ru-officer"], {**SHELLING, **change})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    listed = client.get("/api/v1/reports", headers=bearer(tokens["analyst"])).json()
    assert listed["items"] == []


@pytest.mark.slow
def test_poisoned_posts_among_concurrent_ones_fail_alone(client, tokens, monkeypatch):
    """25 poisoned RU posts sent at once with 200 valid TR posts: the poison gets 4xx,
    every TR post 201, and each TR report is stored once."""
    sizes = []

    def recording(database, items):
        sizes.append(len(items))
        return submit_reports(database, items)

    monkeypatch.setattr(batching, "submit_reports", recording)
    poisoned = [{**SHELLING, **POISON[i % len(POISON)][0]} for i in range(25)]
    valid = [{**SHELLING, "narrative": f"TR report {i}"} for i in range(200)]
    # Interleaved, so that the poison lands in the middle of shared batches.
    sends = [(tokens["tr-officer"], b) for b in valid]
    for i, body in enumerate(poisoned):
        sends.insert(i * 8 + 3, (tokens["ru-officer"], body))

    async def send_all():
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*(
                http.post("/api/v1/reports", content=_raw(body),
                          headers={**bearer(token), "Content-Type": "application/json"})
                for token, body in sends))

    responses = asyncio.run(send_all())
    by_party = {"ru": [], "tr": []}
    for (token, _), response in zip(sends, responses, strict=True):
        by_party["ru" if token == tokens["ru-officer"] else "tr"].append(response)
    assert [r.status_code for r in by_party["tr"]] == [201] * 200
    assert all(400 <= r.status_code < 500 for r in by_party["ru"]), \
        [r.text for r in by_party["ru"] if r.status_code >= 500]
    assert max(sizes) > 1  # the poison shared batches with the valid posts
    listed = client.get("/api/v1/reports", params={"limit": 1000},
                        headers=bearer(tokens["analyst"])).json()["items"]
    assert sorted(r["narrative"] for r in listed) == sorted(b["narrative"] for b in valid)
    assert {r["submitted_by"] for r in listed} == {"TR"}


def test_an_unexpected_failure_in_a_batch_is_only_its_own(database, tokens, monkeypatch):
    """Whatever one member raises (here the driver refusing a value no check foresaw), the
    batch is rolled back and each member runs alone: the others are stored."""
    original = ReportWriter.write_one

    def overflowing(self, report, digest, **kw):
        if report.narrative == "boom":
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return original(self, report, digest, **kw)

    monkeypatch.setattr(ReportWriter, "write_one", overflowing)
    items = [Submission(ReportIn.model_validate({**SHELLING, "narrative": n}),
                        token=tokens["tr-officer"]) for n in ("a", "boom", "c")]
    items.append(Submission(ReportIn.model_validate({**SHELLING, "perpetrators": ["Martians"]}),
                            token=tokens["ru-officer"]))
    results = submit_reports(database, items)
    assert [type(r) for r in results] == [Submitted, OverflowError, Submitted, UnknownActor]
    with database.session() as session:
        assert count_reports(session) == 2
