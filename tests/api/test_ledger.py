"""The ledger over a real record, on both backends: every change is an entry, verify
holds on an untouched record, and names the entry when any row is changed behind the
application's back; proofs from the API check against RFC 6962 as written in the test."""

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from ceasefire.ledger.checkpoints import checkpoint_of
from ceasefire.ledger.merkle import verify_consistency
from ceasefire.services import ledger_checks
from ceasefire.services.correlation import merge, split
from ceasefire.store import ledger as ledger_store
from tests.api.conftest import bearer
from tests.api.test_verdicts_api import SHELLING, cast, report
from tests.ledger.test_merkle import mth, path, proof

# A second report of the Aleppo shelling, by Turkey, and one from Idlib.
SECOND = {**SHELLING, "narrative": "Artillery hit the eastern districts."}
IDLIB = {**SHELLING, "place": {"lat": 35.9306, "lon": 36.6339}, "narrative": "Idlib shelled."}


@pytest.fixture
def record(client, tokens, database):
    """A record made through the API: reports, verdicts, a split and a merge."""
    aleppo = report(client, tokens)
    report(client, tokens, SECOND, who="tr-officer")
    idlib = report(client, tokens, IDLIB, who="un-monitor")
    assert cast(client, tokens, aleppo, "ru-officer", "confirm", 0,
                attributed_to="syrian-government").status_code == 200
    assert cast(client, tokens, aleppo, "tr-officer", "reject", 1).status_code == 200
    members = client.get(f"/api/v1/incidents/{aleppo}",
                         headers=bearer(tokens["analyst"])).json()["reports"]
    if len(members) > 1:  # correlation joined the two Aleppo reports: take one out
        split(database, aleppo, [members[-1]], reason="two shellings",
              token=tokens["analyst"])
    merged = merge(database, [aleppo, idlib], reason="one barrage", token=tokens["analyst"])
    return SimpleNamespace(aleppo=aleppo, idlib=idlib, merged=merged)


def entries(database):
    with database.session() as session:
        return [e for e, _ in ledger_store.entries(session)]


def seq_of(database, action, test=lambda e: True):
    return next(e.seq for e in entries(database) if e.action == action and test(e))


def sql(database, statement, **params):
    with database.engine.begin() as connection:
        connection.execute(text(statement), params)


def test_every_change_is_an_entry_and_an_untouched_record_verifies(database, record):
    actions = [e.action for e in entries(database)]
    assert actions[:2] == ["ledger.opened", "scenario.loaded"]
    assert actions.count("report.submitted") == 3 and actions.count("verdict.cast") == 2
    assert "incident.merged" in actions and "incidents.correlated" in actions
    submitted = [e for e in entries(database) if e.action == "report.submitted"]
    # Web and API actions: the server's key, on the account's behalf, and it says so.
    assert [(e.party, e.account, e.on_behalf) for e in submitted] == [
        ("RU", "ru-officer", True), ("TR", "tr-officer", True), ("UN", "un-monitor", True)]
    verified = ledger_checks.verify(database)
    assert verified.ok, verified.problem
    assert verified.entries == len(actions) and verified.records > 60


def first_report(database):
    with database.engine.connect() as connection:
        return connection.execute(text(
            "SELECT r.uid FROM reports r JOIN accounts a ON a.id = r.account_id "
            "WHERE a.username = 'ru-officer'")).scalar_one()


def first_submission(database):
    """The entry of the first report submitted: one that wrote records, after the
    scenario's."""
    return seq_of(database, "report.submitted")


def verdict_entry(database):
    return seq_of(database, "verdict.cast", lambda e: e.party == "TR")


def last_to_write_disputed(database):
    with database.engine.connect() as connection:
        incident = connection.execute(text(
            "SELECT incident_uid FROM assessments WHERE status = 'disputed'")).scalar_one()
        return connection.execute(text(
            "SELECT max(seq) FROM ledger_writes WHERE kind = 'assessment' AND key LIKE :k"),
            {"k": incident + "/%"}).scalar_one()


COLS = "at, party, account, action, payload, prev, hash, signer, on_behalf, signature"

# Each tampering: what it does to the database, and the entry verify must name.
TAMPERING = {
    "a report's narrative": (
        "UPDATE reports SET narrative = 'nothing happened' WHERE uid = :report",
        lambda db: seq_of(db, "report.submitted", lambda e: e.party == "RU")),
    "a report's casualties": (
        "UPDATE reports SET killed_best = killed_best + 7 WHERE uid = :report",
        lambda db: seq_of(db, "report.submitted", lambda e: e.party == "RU")),
    "a report's place": (
        "UPDATE reports SET lat = lat + 0.5 WHERE uid = :report",
        lambda db: seq_of(db, "report.submitted", lambda e: e.party == "RU")),
    "a deleted report": (
        "DELETE FROM incident_reports WHERE report_id = (SELECT id FROM reports WHERE uid = "
        ":report); DELETE FROM report_actors WHERE report_id = (SELECT id FROM reports WHERE "
        "uid = :report); DELETE FROM idempotency_keys; DELETE FROM report_links; "
        "DELETE FROM reports WHERE uid = :report AND id NOT IN (SELECT founder_id FROM "
        "incidents)",
        None),
    "a verdict's position": (
        "UPDATE verdicts SET position = 'confirm' WHERE position = 'reject'", verdict_entry),
    "a verdict's attribution": (
        "UPDATE verdicts SET attributed_to_id = NULL WHERE attributed_to_id IS NOT NULL",
        lambda db: seq_of(db, "verdict.cast", lambda e: e.party == "RU")),
    "a deleted verdict": (
        "DELETE FROM verdicts WHERE position = 'reject'", verdict_entry),
    "an assessment's status": (
        "UPDATE assessments SET status = 'confirmed' WHERE status = 'disputed'", None),
    "an entry's party": (
        "UPDATE ledger_entries SET party = 'IR' WHERE seq = :seq", first_submission),
    "an entry's payload": (
        "UPDATE ledger_entries SET payload = replace(payload, 'eastern', 'western') "
        "WHERE seq = :seq", first_submission),
    "an entry's time": (
        "UPDATE ledger_entries SET at = :at WHERE seq = :seq", first_submission),
    "an entry's list of records": (
        "UPDATE ledger_writes SET digest = :digest WHERE seq = :seq", first_submission),
    "a deleted entry": (
        "DELETE FROM ledger_writes WHERE seq = :seq; DELETE FROM ledger_entries WHERE seq = :seq",
        first_submission),
    "two entries reordered": (
        f"INSERT INTO ledger_entries SELECT -1, {COLS} FROM ledger_entries WHERE seq = :seq; "
        "UPDATE ledger_writes SET seq = -1 WHERE seq = :seq; "
        "DELETE FROM ledger_entries WHERE seq = :seq; "
        f"INSERT INTO ledger_entries SELECT :seq, {COLS} FROM ledger_entries "
        "WHERE seq = :seq + 1; "
        "UPDATE ledger_writes SET seq = :seq WHERE seq = :seq + 1; "
        "DELETE FROM ledger_entries WHERE seq = :seq + 1; "
        f"INSERT INTO ledger_entries SELECT :seq + 1, {COLS} FROM ledger_entries WHERE seq = -1; "
        "UPDATE ledger_writes SET seq = :seq + 1 WHERE seq = -1; "
        "DELETE FROM ledger_entries WHERE seq = -1",
        first_submission),
    "a swapped signature": (
        "UPDATE ledger_entries SET signature = (SELECT signature FROM ledger_entries "
        "WHERE seq = :seq + 2) WHERE seq = :seq", first_submission),
}


@pytest.mark.parametrize("what", TAMPERING)
def test_verify_names_the_entry_whatever_is_changed(database, record, what):
    statements, expected = TAMPERING[what]
    target = first_report(database)
    if what == "a deleted report":
        # The report the merge did not found: deleting it leaves the schema whole.
        with database.engine.connect() as connection:
            target = connection.execute(text(
                "SELECT uid FROM reports WHERE id NOT IN (SELECT founder_id FROM incidents) "
                "ORDER BY id LIMIT 1")).scalar_one()
        def expected(db):
            return next(e.seq for e in entries(db) if e.action == "report.submitted"
                        and e.payload["report"]["id"] == target)
    if what == "an assessment's status":
        expected = last_to_write_disputed  # whichever entry wrote it last
    want = expected(database)
    assert ledger_checks.verify(database).ok
    seq = first_submission(database)
    for statement in statements.split("; "):
        sql(database, statement, report=target, seq=seq, at="2017-01-01 00:00:00.000000",
            digest="0" * 64)
    problem = ledger_checks.verify(database).problem
    assert problem is not None, what
    assert problem.seq == want, (what, str(problem))


def test_a_record_no_entry_wrote_is_named(database, record):
    sql(database, "INSERT INTO actors (code, name, is_state) VALUES ('ghost', 'Ghost', false)")
    problem = ledger_checks.verify(database).problem
    assert problem.seq is None and "actor ghost" in str(problem) and "no ledger entry" in str(
        problem)


def test_a_changed_checkpoint_is_named(client, database, record):
    assert client.get("/api/v1/ledger/checkpoint").status_code == 200
    sql(database, "UPDATE ledger_checkpoints SET root = :root", root="ab" * 32)
    assert "checkpoint" in str(ledger_checks.verify(database).problem)


def test_proofs_from_the_api_hold_against_rfc_6962_written_here(client, tokens, database,
                                                               record):
    first = client.get("/api/v1/ledger/checkpoint").json()
    export = [json.dumps(e, separators=(",", ":"), sort_keys=True).encode()
              for e in (ledger_checks.entry_json(x) for x in entries(database))]
    # The entries as signed (canonical JSON: sorted keys, no spaces) are the tree's leaves.
    assert first["size"] == len(export) and bytes.fromhex(first["root"]) == mth(export)
    for seq in (1, len(export) // 2, len(export)):
        got = client.get(f"/api/v1/ledger/entries/{seq}",
                         headers=bearer(tokens["un-monitor"])).json()
        assert [bytes.fromhex(p) for p in got["inclusion"]["proof"]] == path(seq - 1, export)
        public = client.get("/api/v1/ledger/proofs/inclusion", params={"seq": seq}).json()
        assert public == got["inclusion"]
    report(client, tokens, IDLIB, who="tr-officer")  # the ledger grows
    grown = [json.dumps(ledger_checks.entry_json(x), separators=(",", ":"), sort_keys=True).encode()
             for x in entries(database)]
    later = client.get("/api/v1/ledger/checkpoint").json()
    assert later["size"] == len(grown) > first["size"]
    shown = client.get("/api/v1/ledger/proofs/consistency",
                       params={"first": first["size"]}).json()
    assert shown["first_root"] == first["root"] and shown["second_root"] == later["root"]
    assert [bytes.fromhex(p) for p in shown["proof"]] == proof(first["size"], grown)
    assert verify_consistency(first["size"], later["size"], bytes.fromhex(first["root"]),
                              bytes.fromhex(later["root"]),
                              [bytes.fromhex(p) for p in shown["proof"]])
    # A checkpoint kept as the API gave it is one `ledger verify --checkpoint` accepts.
    kept = checkpoint_of(first)
    assert ledger_checks.verify(database, [kept]).ok
    forged = checkpoint_of({**first, "size": first["size"] - 1})
    assert "signature does not match" in str(
        ledger_checks.verify(database, [forged]).problem)


def test_entries_need_an_account_but_checkpoints_and_proofs_do_not(client, record):
    assert client.get("/api/v1/ledger/entries/1").status_code == 401
    assert client.get("/api/v1/ledger/proofs/inclusion", params={"seq": 1}).status_code == 200
    assert client.get("/api/v1/ledger/keys").json()[0]["party"] is None
    missing = client.get("/api/v1/ledger/proofs/inclusion", params={"seq": 10_000})
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "seq"


def test_a_server_in_another_time_zone_reads_the_same_record(database, record):
    """Digests are of the values as the driver gives them, times in UTC: a PostgreSQL
    server whose sessions run in Damascus time verifies what was written in UTC."""
    if database.backend != "postgresql":
        pytest.skip("SQLite keeps times as the text written")
    name = database.url.database
    sql(database, f"ALTER DATABASE {name} SET timezone TO 'Asia/Damascus'")
    database.engine.dispose()  # new sessions take the new setting
    with database.engine.connect() as connection:
        assert connection.execute(text("SHOW timezone")).scalar_one() == "Asia/Damascus"
    assert ledger_checks.verify(database).ok
