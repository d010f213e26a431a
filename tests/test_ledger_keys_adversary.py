"""Forged keys, tried as an adversary would, on both backends: someone with write access
to the database (and the code, but not the server's passphrase), a malicious operator,
a party acting for another. Each path either is refused when tried, or leaves an entry
or a row that `ledger verify` names; none yields an entry verify accepts.

The table of what was tried is the parametrised test ids; docs/ledger.md promises each.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from nacl.signing import SigningKey
from sqlalchemy import text

from ceasefire.ledger import keys as keyfile
from ceasefire.ledger import trust
from ceasefire.ledger.entries import key_id
from ceasefire.services import ledger, ledger_checks
from ceasefire.services.accounts import get_account
from ceasefire.store import ledger as ledger_store
from ceasefire.store.db import Database
from tests.test_cli import run, url_of
from tests.test_cli_ledger import PASSPHRASE as KEY_PASSPHRASE
from tests.test_cli_ledger import loaded


@pytest.fixture
def url(database, monkeypatch):
    url = loaded(database, monkeypatch)
    added = run("--database-url", url, "report", "add", "--party", "RU", "--type",
                "shelling", "--date", "2017-01-15", "--place", "Aleppo",
                "--perpetrator", "syrian-government", "--narrative", "Shelling.")
    assert added.exit_code == 0, added.output
    return url


@pytest.fixture
def intruder(database):
    """The same database, opened by someone without the server's passphrase."""
    db = Database(url_of(database), server_passphrase=None)
    yield db
    db.dispose()


def forge(db: Database, key: SigningKey, action: str, payload: dict, *, party: str | None,
          account: str | None = None, on_behalf: bool = False, row: bool = False,
          status: str = "current") -> int:
    """Append an entry signed with `key`, as anyone with the code and the database can;
    with `row`, also the key's row, as a registration would write it."""
    with db.session(write=True) as session:
        if row:
            ledger_store.add_key(session, key_id=key_id(key.verify_key), party=party,
                                 public=bytes(key.verify_key), sealed=None,
                                 created_at=datetime.now(UTC))
            if status != "current":
                ledger_store.retire_key(session, key_id(key.verify_key), status)
        return ledger.append(session, ledger.Signer(party, account, key, on_behalf), action,
                             payload).seq


def registration(key: SigningKey, party: str, prev: bytes = bytes(32), *,
                 action: str = trust.PARTY_REGISTERED) -> dict:
    return trust.key_payload(action, party, key, prev)


def problem(database, saved=()) -> str:
    result = ledger_checks.verify(database, list(saved))
    assert not result.ok, "verify passed a forged ledger"
    return str(result.problem)


def incident(database) -> str:
    with database.engine.connect() as c:
        return c.execute(text("SELECT incident_uid FROM assessments")).scalar_one()


def write_key(tmp_path, key: SigningKey) -> str:
    path = tmp_path / "ir.key"
    path.write_bytes(keyfile.seal(key, KEY_PASSPHRASE, opslimit=1, memlimit=8192))
    return str(path)


def test_keygen_with_the_database_alone_registers_nothing(url, database, tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv("CEASEFIRE_SERVER_PASSPHRASE", "")
    made = run("--database-url", url, "party", "keygen", "IR", "--out",
               str(tmp_path / "ir.key"), "--account", "secretariat")
    assert made.exit_code == 1 and "CEASEFIRE_SERVER_PASSPHRASE" in made.stderr
    assert not list(tmp_path.glob("ir.key*"))


def test_a_self_registered_key_signs_a_verdict_that_verify_names(url, database, intruder, tmp_path,
                                                                 monkeypatch):
    """The issue's path: with the database alone, IR's 'key' registers itself, then
    casts IR's verdict with it through the command line."""
    monkeypatch.setenv("CEASEFIRE_SERVER_PASSPHRASE", "")
    forged = SigningKey.generate()
    seq = forge(intruder, forged, trust.PARTY_REGISTERED,
                registration(forged, "IR"), party="IR", row=True)
    cast = run("--database-url", url, "--key", write_key(tmp_path, forged), "verdict",
               "cast", incident(database), "--account", "ir-officer", "--position",
               "confirm", "--version", "0")
    if cast.exit_code == 0:  # written: then verify names the registration it rests on
        assert "ir-officer" not in problem(database)
    assert problem(database) == (f"entry {seq}: signed with key {key_id(forged.verify_key)},"
                                 " which no entry registered")


def test_a_key_row_inserted_by_sql_signs_nothing_verify_accepts(url, database, intruder, tmp_path):
    forged = SigningKey.generate()
    kid = key_id(forged.verify_key)
    with database.engine.begin() as c:
        c.execute(text("INSERT INTO ledger_keys (key_id, party, public, created_at, status) "
                       "VALUES (:k, 'IR', :p, '2017-01-01 00:00:00+00:00', 'current')"),
                  {"k": kid, "p": bytes(forged.verify_key).hex()})
    # The command line refuses to sign with it: the ledger never wrote that row.
    refused = run("--database-url", url, "--key", write_key(tmp_path, forged), "verdict",
                  "cast", incident(database), "--account", "ir-officer", "--position",
                  "confirm", "--version", "0")
    assert refused.exit_code == 1 and f"key {kid} is not as the ledger registered" \
        in refused.stderr
    assert problem(database) == f"key {kid} is in the database, but no ledger entry wrote it"
    # Signing with it anyway, through the code: the entry is named.
    seq = forge(intruder, forged, "verdict.cast", {"position": "confirm"},
                party="IR")
    assert problem(database) == f"entry {seq}: signed with key {kid}, which no entry " \
        "registered"


def test_a_second_server_key_sealed_with_another_passphrase_is_refused(
        url, database, intruder, monkeypatch):
    other = SigningKey.generate()
    kid = key_id(other.verify_key)
    sealed = keyfile.seal(other, "another passphrase!", opslimit=1, memlimit=8192).decode()
    with database.engine.begin() as c:
        c.execute(text("INSERT INTO ledger_keys (key_id, party, public, sealed, created_at, "
                       "status) VALUES (:k, NULL, :p, :s, '2030-01-01 00:00:00+00:00', "
                       "'current')"), {"k": kid, "p": bytes(other.verify_key).hex(),
                                       "s": sealed})
    # Neither the server nor the intruder's own passphrase signs with a doubled key table.
    for passphrase in ("another passphrase!", None):
        if passphrase:
            monkeypatch.setenv("CEASEFIRE_SERVER_PASSPHRASE", passphrase)
        added = run("--database-url", url, "report", "add", "--party", "RU", "--type",
                    "shelling", "--date", "2017-01-16", "--place", "Idleb")
        assert added.exit_code == 1 and "2 current server keys" in added.stderr
    # The intruder retires the real key in the table: its own row is still not the
    # ledger's, so nothing is signed with it either.
    with database.engine.begin() as c:
        c.execute(text("UPDATE ledger_keys SET status = 'rotated' WHERE key_id <> :k"),
                  {"k": kid})
    monkeypatch.setenv("CEASEFIRE_SERVER_PASSPHRASE", "another passphrase!")
    added = run("--database-url", url, "report", "add", "--party", "RU", "--type",
                "shelling", "--date", "2017-01-16", "--place", "Idleb")
    assert added.exit_code == 1 and f"key {kid} is not as the ledger registered" \
        in added.stderr
    assert problem(database).startswith("entry 1: key ")  # the real key's row changed
    # And an entry it signs all the same (a forged rotation) is named, whatever the table.
    with database.engine.begin() as c:
        c.execute(text("UPDATE ledger_keys SET status = 'current' WHERE key_id <> :k"),
                  {"k": kid})
    seq = forge(intruder, other, trust.SERVER_ROTATED,
                registration(other, None, action=trust.SERVER_ROTATED), party=None)
    assert f"entry {seq}: signed with key {kid}, which no entry registered" == \
        problem(database)


def test_a_kept_checkpoint_still_names_entries_forged_after_it(url, database, intruder):
    kept = ledger.checkpoint(database)
    forged = SigningKey.generate()
    seq = forge(intruder, forged, trust.PARTY_REGISTERED,
                registration(forged, "IR"), party="IR", row=True)
    assert problem(database, [kept]).startswith(f"entry {seq}: signed with key")


def test_a_ledger_made_anew_under_another_root_key_is_told_by_a_kept_checkpoint(
        url, database):
    kept = ledger.checkpoint(database)
    assert kept.trust == ledger_checks.verify(database).root_key
    # Everything wiped and written again under a new server key: it verifies alone …
    with database.engine.begin() as c:
        for table in ("ledger_writes", "ledger_checkpoints", "ledger_entries", "ledger_keys"):
            c.execute(text(f"DELETE FROM {table}"))
    anew = Database(url_of(database), server_passphrase="another passphrase!")
    try:
        with anew.session(write=True) as session:
            ledger.ensure_server_key(session, "another passphrase!")
            rewrite_every_record(session)
            ledger.append(session, ledger.mechanism(session), "scenario.loaded", {})
        assert ledger_checks.verify(anew).ok
        new_root = ledger_checks.verify(anew).root_key
    finally:
        anew.dispose()
    # … but not against the checkpoint a party kept.
    assert problem(database, [kept]) == (
        f"entry 1: the ledger's root key is {new_root}, not "
        f"{kept.trust}, the one a checkpoint kept names: the ledger was made anew")


def rewrite_every_record(session) -> None:
    from ceasefire.store import changes
    from ceasefire.store.digests import digests
    from ceasefire.store.records import KINDS

    for kind in KINDS:
        if kind != "key":
            changes.touch(session, kind, map(KINDS[kind].parse, digests(session, kind)))


def test_a_checkpoint_signed_by_a_party_key_is_refused(url, database):
    key = SigningKey.generate()
    secretariat = get_account(database, username="secretariat")
    ledger.register_party_key(database, "TR", key, account=secretariat)
    good = ledger.checkpoint(database)
    from dataclasses import replace

    forged = replace(good, signer=key_id(key.verify_key)).signed_by(key)
    assert problem(database, [forged]) == (f"checkpoint at size {good.size}: not signed by "
                                           "the server key the ledger trusted at that size")


def test_a_rotated_key_signs_nothing_after_its_rotation(url, database, intruder):
    old, new = SigningKey.generate(), SigningKey.generate()
    ledger.register_party_key(database, "TR", old,
                              account=get_account(database, username="secretariat"))
    ledger.rotate_party_key(database, "TR", old, new)
    rotation = ledger_checks.verify(database).entries
    assert ledger_checks.verify(database).ok
    # Whoever still holds the old key (a stolen laptop) signs with it.
    seq = forge(intruder, old, "report.submitted", {}, party="TR")
    assert problem(database) == (f"entry {seq}: signed with key {key_id(old.verify_key)}, "
                                 f"rotated by entry {rotation}")


def test_a_revoked_key_signs_nothing_more(url, database, intruder):
    key = SigningKey.generate()
    secretariat = get_account(database, username="secretariat")
    ledger.register_party_key(database, "TR", key, account=secretariat)
    ledger.revoke_party_key(database, "TR", reason="compromised", account=secretariat)
    revoked = ledger_checks.verify(database).entries
    seq = forge(intruder, key, "report.submitted", {}, party="TR")
    assert problem(database) == (f"entry {seq}: signed with key {key_id(key.verify_key)}, "
                                 f"revoked by entry {revoked}")


@pytest.mark.parametrize("who", ["tr-officer", "un-monitor", "analyst"])
def test_only_a_secretariat_account_registers_or_revokes(url, database, who):
    from ceasefire.errors import Forbidden

    account = get_account(database, username=who)
    with pytest.raises(Forbidden, match="the secretariat does"):
        ledger.register_party_key(database, "TR", SigningKey.generate(), account=account)
    # The server's key on a non-secretariat account's behalf: verify names it too.
    key = SigningKey.generate()
    with database.session(write=True) as session:
        _, prev = ledger.head(session)
        actor = ledger.Signer(account.party, who, ledger.mechanism(session).key, True)
        seq = ledger.append(session, actor, trust.PARTY_REGISTERED,
                            registration(key, "TR", prev)).seq
    assert problem(database) == (f"entry {seq}: TR's first key is registered by the server "
                                 "on the secretariat's behalf, not by a party's key")


def test_a_second_key_for_a_party_and_a_key_without_proof_are_named(url, database):
    secretariat = get_account(database, username="secretariat")
    first = SigningKey.generate()
    ledger.register_party_key(database, "TR", first, account=secretariat)
    # A malicious operator (with the passphrase) registers a second key for TR, and
    # Russia's public key as Iran's (no proof: it cannot make one).
    second, russia = SigningKey.generate(), SigningKey.generate()
    with database.session(write=True) as session:
        _, prev = ledger.head(session)
        actor = ledger.Signer("SEC", "secretariat", ledger.mechanism(session).key, True)
        seq = ledger.append(session, actor, trust.PARTY_REGISTERED,
                            registration(second, "TR", prev)).seq
    assert problem(database) == (f"entry {seq}: TR already holds key "
                                 f"{key_id(first.verify_key)}: another is registered only "
                                 "in its place (rotated by it, or after it is revoked)")
    with database.engine.begin() as c:  # undo, then try the key without its proof
        c.execute(text("DELETE FROM ledger_writes WHERE seq = :s"), {"s": seq})
        c.execute(text("DELETE FROM ledger_entries WHERE seq = :s"), {"s": seq})
        c.execute(text("DELETE FROM ledger_keys WHERE key_id = :k"),
                  {"k": key_id(second.verify_key)})
    payload = {"party": "IR", "key_id": key_id(russia.verify_key),
               "public": bytes(russia.verify_key).hex(), "proof": "00" * 64}
    with database.session(write=True) as session:
        actor = ledger.Signer("SEC", "secretariat", ledger.mechanism(session).key, True)
        seq = ledger.append(session, actor, trust.PARTY_REGISTERED, payload).seq
    assert problem(database) == (f"entry {seq}: the new key {key_id(russia.verify_key)} "
                                 "did not sign for its registration")


def test_an_export_with_a_key_added_to_keys_json_is_named_offline(url, database, tmp_path):
    out = tmp_path / "export"
    ledger_checks.export(database, out)
    assert ledger_checks.verify_export(out).ok
    keys = json.loads((out / "keys.json").read_text())
    forged = SigningKey.generate()
    kid = key_id(forged.verify_key)
    keys.append({"key_id": kid, "party": "IR", "public": bytes(forged.verify_key).hex(),
                 "created_at": "2017-01-01T00:00:00+00:00", "status": "current"})
    (out / "keys.json").write_text(json.dumps(keys))
    found = ledger_checks.verify_export(out)
    assert str(found.problem) == f"key {kid} is listed, but no ledger entry registered it"
