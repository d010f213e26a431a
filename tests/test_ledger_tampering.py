"""The red team's table, as tests, on both backends: a record that fills every table, then
one direct edit of the database at a time, as someone with write access to it would
make. Every edit of a record, of a part of one, or of a table derived from them is named
by `ledger verify`; edits of the access tables change nothing anyone reads or is
published; and what the public reads does not rest on a derived row alone.

store/integrity.py classes every table; `test_every_table_that_can_change_the_record_is
_tampered_here` fails when a table that can change what the record says has no edit in
the table below.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import text

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.domain.bulletin import days
from ceasefire.errors import Conflict
from ceasefire.ledger import note
from ceasefire.services import bulletins, ledger, ledger_checks
from ceasefire.services.accounts import get_account
from ceasefire.services.correlation import correlate_all, merge, split
from ceasefire.services.imports import import_file
from ceasefire.services.logins import log_in, set_password
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import ledger as ledger_store
from ceasefire.store.db import Database
from ceasefire.store.integrity import ACCESS, DERIVED, LEDGER, PART, RECORD, TABLES
from ceasefire.web.ratelimit import LoginLimiter
from tests.api.conftest import bearer
from tests.conftest import Recipe
from tests.factories import PASSWORD

SHELLING = {"when": {"earliest": "2017-01-15T10:00:00Z"},
            "place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling",
            "perpetrators": ["syrian-government"], "targets": ["syrian-opposition"],
            "narrative": "Shelling of the eastern districts."}
SECOND = {**SHELLING, "narrative": "Artillery fire on the eastern districts."}
IDLIB = {**SHELLING, "when": {"earliest": "2017-01-16T08:00:00Z"},
         "place": {"lat": 35.9306, "lon": 36.6339}, "narrative": "Idlib shelled."}
HOMS = {**SHELLING, "when": {"earliest": "2017-01-17T08:00:00Z"},
        "place": {"lat": 34.7324, "lon": 36.7137}, "narrative": "Homs shelled."}
# Reports a file gives with a named, exact place: the import learns the names.
FILED = [{"when": {"date": f"2017-01-{d:02d}"},
          "place": {"lat": lat, "lon": lon, "precision": 1, "name": name},
          "violation": "shelling", "perpetrators": ["syrian-government"],
          "source": {"name": "Local monitor", "key": f"lm:{d}"}}
         for d, name, lat, lon in ((18, "Kafr Nabl", 35.6125, 36.5603),
                                   (19, "Ma'arrat al-Nu'man", 35.6478, 36.6736))]


def _build(db: Database, scenario, tmp: Path) -> dict[str, str]:
    """Every table gets rows: the scenario and its tokens, an import that learns place
    names, reports through the API (scored links), verdicts, a split (apart pairs) and a
    merge (joined pairs), a party key, and a published bulletin."""
    tokens = load_scenario(db, scenario).tokens
    filed = tmp / "filed.jsonl"
    filed.write_text("".join(json.dumps(r) + "\n" for r in FILED))
    import_file(db, filed, format="jsonl", party="UN")
    settings = Settings(database_url=db.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=db)) as client:
        def post(body, who):
            answer = client.post("/api/v1/reports", json=body, headers=bearer(tokens[who]),
                                 params={})
            assert answer.status_code == 201, answer.text
            return answer.json()

        aleppo = post(SHELLING, "ru-officer")["incident"]
        post(SECOND, "tr-officer")
        idlib = post(IDLIB, "un-monitor")["incident"]
        post(HOMS, "tr-officer")  # stays pending
        for who, position, version in (("ru-officer", "confirm", 0),
                                       ("tr-officer", "reject", 1)):
            cast = client.post(f"/api/v1/incidents/{idlib}/verdicts",
                               json={"position": position, "version": version},
                               headers=bearer(tokens[who]))
            assert cast.status_code == 200, cast.text
        members = client.get(f"/api/v1/incidents/{aleppo}",
                             headers=bearer(tokens["analyst"])).json()["reports"]
        assert len(members) == 2, "correlation should join the two Aleppo reports"
    split(db, aleppo, [members[-1]], reason="two shellings", token=tokens["analyst"])
    merge(db, [aleppo, idlib], reason="one barrage", token=tokens["analyst"])
    secretariat = get_account(db, username="secretariat")
    ledger.register_party_key(db, "TR", SigningKey.generate(), account=secretariat)
    bulletins.publish(db, days(date(2017, 1, 15), date(2017, 1, 20)), account=secretariat)
    made = ledger.checkpoint(db)
    witness = SigningKey(bytes(range(32)))  # a witness's cosignature, kept as a log keeps it
    with db.session(write=True) as session:
        ledger_store.add_cosignature(session, ledger_store.StoredCosignature(
            made.size, "witness.tr", note.vkey("witness.tr", witness.verify_key),
            note.cosign(made.text(), "witness.tr", witness, 1_500_000_000).strip(),
            datetime.fromtimestamp(1_500_000_000, UTC)))
    assert ledger_checks.verify(db).ok, ledger_checks.verify(db).problem
    return tokens


@pytest.fixture
def record(built_records, syria_scenario, backend, request):
    """A copy of the record, built once per backend."""
    db = built_records.copy(request, Recipe(
        "tampering", lambda db, tmp: _build(db, syria_scenario, tmp)))
    db.tokens = db.built
    return db


def sql(db: Database, *statements: str) -> None:
    with db.engine.begin() as c:
        for statement in statements:
            c.execute(text(statement))


def one(db: Database, query: str):
    with db.engine.connect() as c:
        return c.execute(text(query)).scalar_one()


PENDING = ("(SELECT incident_uid FROM assessments WHERE status = 'pending' AND covered "
           "ORDER BY incident_uid LIMIT 1)")

# table -> what is done to it, and words the first problem `ledger verify` names holds.
TAMPERINGS: dict[str, tuple[str, str, str]] = {
    "a party's name": ("parties", "UPDATE parties SET name = 'Persia' WHERE code = 'IR'",
                       "party IR differs"),
    "an actor's side": ("actors", "UPDATE actors SET side = NULL WHERE code = 'isil'",
                        "actor isil differs"),
    "an actor's alias": ("actor_aliases",
                         "DELETE FROM actor_aliases WHERE id = (SELECT min(id) FROM "
                         "actor_aliases WHERE actor_id = (SELECT id FROM actors WHERE code "
                         "= 'isil'))", "actor isil differs"),
    "the response deadline": ("agreements",
                              "UPDATE agreements SET response_deadline_s = 60",
                              "agreement syria-2016 differs"),
    "a guarantor dropped": ("agreement_guarantors",
                            "DELETE FROM agreement_guarantors WHERE party_id = (SELECT id "
                            "FROM parties WHERE code = 'IR')", "agreement syria-2016 differs"),
    "an excluded actor let in": ("agreement_actors",
                                 "UPDATE agreement_actors SET status = 'signatory' WHERE "
                                 "actor_id = (SELECT id FROM actors WHERE code = 'isil')",
                                 "agreement syria-2016 differs"),
    "a zone's end": ("zones", "UPDATE zones SET ends_at = starts_at",
                     "agreement syria-2016 differs"),
    "a zone's end moved by its amendment": (
        "amendments", "UPDATE amendments SET effective = '2019-01-01 00:00:00.000000' WHERE "
        "id = 4", "amendment 4 differs"),
    "a proposal forged with every consent": (
        "amendment_proposals",
        "INSERT INTO amendment_proposals (agreement_id, change, effective, reason, terms, "
        "proposed_by, proposed_at, consents) SELECT id, 'agreement-ended', starts_at, "
        "'forged', '{}', 'RU', starts_at, '[{\"party\": \"RU\", \"at\": "
        "\"2017-01-01T00:00:00+00:00\"}]' FROM agreements",
        "is in the database, but no ledger entry wrote it"),
    "an assessment's terms version": (
        "assessments", "UPDATE assessments SET terms_version = 0 WHERE terms_version = 6 AND "
        "incident_uid = (SELECT min(incident_uid) FROM assessments)", "differs in the"),
    "an account's role": ("accounts", "UPDATE accounts SET role = 'secretariat' WHERE "
                          "username = 'ru-officer'", "account ru-officer differs"),
    "a token added": ("api_tokens",
                      "INSERT INTO api_tokens (account_id, token_hash, created_at) SELECT id, "
                      "'" + "ab" * 32 + "', created_at FROM accounts WHERE username = "
                      "'secretariat'", "is in the database, but no ledger entry wrote it"),
    "an import's counts": ("imports", "UPDATE imports SET rows_added = rows_added + 1",
                           "import 1 differs"),
    "a report's toll": ("reports", "UPDATE reports SET killed_best = killed_best + 9 WHERE "
                        "id = (SELECT min(id) FROM reports)", "differs in the database"),
    "a report's perpetrator": ("report_actors",
                               "DELETE FROM report_actors WHERE report_id = (SELECT min(id) "
                               "FROM reports) AND role = 'perpetrator'",
                               "differs in the database"),
    "a learnt place moved": ("place_names", "UPDATE place_names SET lat = lat + 0.5",
                             "place 1 differs"),
    "an incident's type": ("incidents", "UPDATE incidents SET violation = 'air_strike' "
                           "WHERE id = (SELECT min(id) FROM incidents)", "differs in the"),
    "a report moved to another incident": (
        "incident_reports",
        "UPDATE incident_reports SET incident_id = (SELECT max(id) FROM incidents) WHERE "
        "report_id = (SELECT min(report_id) FROM incident_reports)", "differs in the"),
    "a decision's reason": ("correlation_decisions",
                            "UPDATE correlation_decisions SET reason = 'none'",
                            "decision 1 differs"),
    "an analyst's split undone": ("report_apart", "DELETE FROM report_apart",
                                  "is missing from the database"),
    "an analyst's merge undone": ("report_links",
                                  "DELETE FROM report_links WHERE forced AND score IS NULL",
                                  "is missing from the database"),
    "a scored link removed": ("report_links",
                              "DELETE FROM report_links WHERE NOT forced",
                              "report_links: the link of reports"),
    "an assessment confirmed": ("assessments",
                                f"UPDATE assessments SET status = 'confirmed' WHERE "
                                f"incident_uid = {PENDING}", "differs in the database"),
    "a verdict turned": ("verdicts", "UPDATE verdicts SET position = 'confirm' WHERE "
                         "position = 'reject'", "differs in the database"),
    "a bulletin's words": ("bulletins",
                           "UPDATE bulletins SET document = replace(document, 'Aleppo', "
                           "'Alepo')", "bulletin 1 differs"),
    "the overview confirms a pending incident": (
        "incident_overview", f"UPDATE incident_overview SET status = 'confirmed' WHERE "
        f"uid = {PENDING}", "status 'confirmed' where the record says 'pending'"),
    "an incident left out of the overview": (
        "incident_overview", f"DELETE FROM incident_overview WHERE uid = {PENDING}",
        "is missing"),
    "a count by day raised": ("overview_days", "UPDATE overview_days SET incidents = "
                              "incidents + 5", "overview_days: the count of"),
    "a count by map cell raised": ("overview_cells", "UPDATE overview_cells SET incidents = "
                                   "incidents + 5", "overview_cells: the count of"),
    "a map cell's incidents moved": ("overview_cells", "UPDATE overview_cells SET lon_e7 = "
                                     "lon_e7 + 1", "overview_cells: the count of"),
    "a key revoked back": ("ledger_keys", "UPDATE ledger_keys SET party = 'RU' WHERE party "
                           "= 'TR'", "differs in the database"),
    "an entry's payload": ("ledger_entries", "UPDATE ledger_entries SET action = "
                           "'report.withdrawn' WHERE seq = 3", "entry 3: the signature"),
    "an entry's written records": ("ledger_writes", "DELETE FROM ledger_writes WHERE seq = "
                                   "(SELECT max(seq) FROM ledger_writes)",
                                   "the list of written records was edited"),
    "a witness's cosignature": ("ledger_cosignatures", "UPDATE ledger_cosignatures SET line"
                                " = replace(line, 'witness.tr ', 'witness.tr A')",
                                "the cosignature of witness witness.tr does not verify"),
    "a checkpoint's root": ("ledger_checkpoints", "UPDATE ledger_checkpoints SET root = "
                            "'" + "00" * 32 + "'", "its signature does not match"),
}


@pytest.mark.parametrize("what", TAMPERINGS)
def test_verify_names_every_edit_of_what_the_record_says(record, what):
    _, statement, named = TAMPERINGS[what]
    sql(record, statement)
    problem = ledger_checks.verify(record).problem
    assert problem is not None, f"{what}: verify passed"
    assert named in str(problem), (what, str(problem))


def test_every_table_that_can_change_the_record_is_tampered_here():
    classes = {RECORD, PART, DERIVED, LEDGER}
    tried = {table for table, _, _ in TAMPERINGS.values()}
    assert {t for t, held in TABLES.items() if held.how in classes} <= tried


def _outputs(db: Database) -> dict[str, object]:
    """What anyone reads without an account, and a bulletin as it would be published."""
    settings = Settings(database_url=db.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=db)) as client:
        pages = {path: client.get(path).text for path in (
            "/public/incidents", "/public/map.svg", "/public/bulletins/1",
            "/public/bulletins/1.json")}
    issued = bulletins.issue(db, days(date(2017, 1, 15), date(2017, 1, 20)))
    return {**pages, "counts": issued.bulletin, "verified": issued.verified}


def test_the_access_tables_change_nothing_read_or_published(record):
    assert {t for t, held in TABLES.items() if held.how == ACCESS} == {
        "idempotency_keys", "web_sessions", "login_failures"}
    set_password(record, username="tr-officer", password=PASSWORD)
    LoginLimiter(record).failed(username="tr-officer", address="10.0.0.1")
    log_in(record, username="tr-officer", password=PASSWORD, lifetime=timedelta(hours=1))
    before = _outputs(record)
    sql(record, "UPDATE web_sessions SET expires_at = created_at",
        "DELETE FROM idempotency_keys", "DELETE FROM login_failures")
    assert _outputs(record) == before
    assert ledger_checks.verify(record).ok


def test_the_public_and_bulletins_do_not_rest_on_the_overview(record):
    pending = one(record, PENDING.strip("()"))
    sql(record, f"UPDATE incident_overview SET status = 'confirmed' WHERE uid = '{pending}'")
    settings = Settings(database_url=record.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=record)) as client:
        assert pending not in client.get("/public/incidents").text
        assert client.get(f"/public/incidents/{pending}").status_code == 404
        shown = client.get("/public/map", params={"from": "2017-01-01", "to": "2017-01-31"})
        assert "1 confirmed incident" in shown.text or pending not in shown.text
    with pytest.raises(Conflict, match=f"incident_overview: the row of incident {pending}"):
        bulletins.issue(record, days(date(2017, 1, 15), date(2017, 1, 20)))
    with pytest.raises(Conflict, match="incident_overview"):
        bulletins.publish(record, days(date(2017, 1, 15), date(2017, 1, 20)),
                          username="secretariat")
    assert one(record, "SELECT count(*) FROM bulletins") == 1


def test_a_bulletin_is_not_counted_from_an_edited_record(record):
    sql(record, f"UPDATE assessments SET status = 'confirmed' WHERE incident_uid = {PENDING}")
    with pytest.raises(Conflict, match="the record does not hold against the ledger.*"
                                       "assessment .* differs in the database"):
        bulletins.issue(record, days(date(2017, 1, 15), date(2017, 1, 20)))


def test_a_bulletin_states_what_its_counts_were_checked_against(record):
    shown = json.loads(one(record, "SELECT document FROM bulletins WHERE id = 1"))
    assert shown["verified"]["against"] == shown["checkpoint"]["size"]
    assert shown["verified"]["records"] > 10
    assert shown["checkpoint"]["trust"] == ledger_checks.verify(record).root_key


def test_a_split_undone_behind_the_ledger_is_not_silently_merged_again(record):
    sql(record, "DELETE FROM report_apart")
    with record.session(write=True) as session, pytest.raises(
            Conflict, match="apart .* is missing from the database"):
        correlate_all(session)


def test_a_token_added_behind_the_ledger_is_refused(record):
    from ceasefire.services.accounts import hash_token

    forged = "cfm_" + "x" * 43
    sql(record, "INSERT INTO api_tokens (account_id, token_hash, created_at) SELECT id, "
        f"'{hash_token(forged)}', created_at FROM accounts WHERE username = 'secretariat'")
    settings = Settings(database_url=record.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=record)) as client:
        answer = client.get("/api/v1/me", headers=bearer(forged))
        assert answer.status_code == 401
        assert "not one the ledger issued" in answer.json()["error"]["message"]
        assert client.get("/api/v1/me",
                          headers=bearer(record.tokens["secretariat"])).status_code == 200
