"""Concurrent submissions share one transaction, and each still gets its own answer."""

import asyncio

import httpx2 as httpx

from ceasefire.api import batching
from ceasefire.domain.actors import UnknownActor
from ceasefire.errors import Forbidden
from ceasefire.intake.report_in import ReportIn
from ceasefire.services.reports import Submission, Submitted, submit_reports
from ceasefire.store.reports import count_reports
from tests.api.conftest import bearer
from tests.api.test_reports_api import SHELLING


def test_a_bad_submission_in_a_batch_leaves_the_others_stored(database, tokens):
    good = ReportIn.model_validate(SHELLING)
    bad = ReportIn.model_validate({**SHELLING, "perpetrators": ["Martians"]})
    results = submit_reports(database, [
        Submission(good, token=tokens["tr-officer"], idempotency_key="a"),
        Submission(bad, token=tokens["tr-officer"]),
        Submission(good, token=tokens["analyst"]),
        Submission(good, token=tokens["tr-officer"], idempotency_key="a"),  # a retry
        Submission(good, token=tokens["ru-officer"]),
    ])
    assert [type(r) for r in results] == [Submitted, UnknownActor, Forbidden, Submitted,
                                          Submitted]
    assert results[1].field == "perpetrators[0]"
    assert results[3].created is False and results[3].report.id == results[0].report.id
    assert results[4].report.submitted_by == "RU"
    with database.session() as session:
        assert count_reports(session) == 2


def test_concurrent_requests_each_get_their_answer(client, tokens, monkeypatch):
    app = client.app
    sizes = []

    def recording(database, items):
        sizes.append(len(items))
        return submit_reports(database, items)

    monkeypatch.setattr(batching, "submit_reports", recording)

    async def send_all():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            bodies = [{**SHELLING, "narrative": f"report {i}"} for i in range(30)]
            bodies[7] = {**SHELLING, "violation": "jaywalking"}  # refused by validation
            bodies[11] = {**SHELLING, "targets": ["Martians"]}  # refused by intake
            return await asyncio.gather(*(
                http.post("/api/v1/reports", json=b, headers=bearer(tokens["ir-officer"]))
                for b in bodies))

    responses = asyncio.run(send_all())
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 28 and statuses[7] == statuses[11] == 422
    assert responses[11].json()["error"]["field"] == "targets[0]"
    narratives = {r.json()["narrative"] for r in responses if r.status_code == 201}
    assert len(narratives) == 28
    listed = client.get("/api/v1/reports", params={"limit": 100},
                        headers=bearer(tokens["analyst"])).json()["items"]
    assert {r["narrative"] for r in listed} == narratives
    assert sum(sizes) == 29 and max(sizes) > 1  # they shared transactions


def test_a_write_the_database_refuses_reruns_the_batch_one_by_one(database, tokens,
                                                                    monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from ceasefire.store.reports import ReportWriter

    original = ReportWriter.write_one
    calls = []

    def refuse_the_second(self, report, digest, **kw):
        calls.append(report.narrative)
        if len(calls) == 2:  # as if another process stored the same Idempotency-Key
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return original(self, report, digest, **kw)

    monkeypatch.setattr(ReportWriter, "write_one", refuse_the_second)
    items = [Submission(ReportIn.model_validate({**SHELLING, "narrative": f"n{i}"}),
                        token=tokens["tr-officer"]) for i in range(3)]
    results = submit_reports(database, items)
    assert [type(r) for r in results] == [Submitted, Submitted, Submitted]
    # The batch was undone whole and each report stored once, in its own transaction.
    assert calls == ["n0", "n1", "n0", "n1", "n2"]
    with database.session() as session:
        assert count_reports(session) == 3


def test_a_run_of_one_accounts_reports_is_one_signed_entry_and_each_is_still_provable(
        database, tokens):
    """One entry lists a run of reports one account submitted together, another account's
    report starts its own; each report is a record of its own with its inclusion proof."""
    from ceasefire.services import ledger, ledger_checks
    from ceasefire.store import ledger as ledger_store

    def body(n: int) -> ReportIn:
        return ReportIn.model_validate({**SHELLING, "narrative": f"report {n}"})

    with database.session() as session:
        before = ledger.head(session)[0]
    results = submit_reports(database, [
        Submission(body(1), token=tokens["tr-officer"]),
        Submission(body(2), token=tokens["tr-officer"]),
        Submission(body(3), token=tokens["tr-officer"]),
        Submission(body(4), token=tokens["ru-officer"]),
        Submission(body(5), token=tokens["tr-officer"]),
    ])
    assert all(isinstance(r, Submitted) for r in results)
    with database.session() as session:
        new = [e for e, _ in ledger_store.entries(session) if e.seq > before]
        written = {e.seq: ledger_store.writes_of(session, e.seq) for e in new}
    submitted = [e for e in new if e.action.endswith(".submitted")]
    assert [(e.action, e.party) for e in submitted] == [
        ("reports.submitted", "TR"), ("report.submitted", "RU"), ("report.submitted", "TR")]
    assert [r["narrative"] for r in submitted[0].payload["reports"]] == \
        ["report 1", "report 2", "report 3"]
    reports = {key for e in submitted for kind, key, _ in written[e.seq] if kind == "report"}
    assert reports == {str(r.report.id) for r in results}
    for e in submitted:  # each entry, so each report it wrote, is in the signed tree
        assert ledger.inclusion(database, e.seq).entry == e
    assert ledger_checks.verify(database).ok
