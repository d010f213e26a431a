"""The ledger from the command line: a party's own key signs its actions, verify names
the first bad entry, an export verifies with no database, and a kept checkpoint shows the
ledger only grew."""

import json

import pytest
from sqlalchemy import text

from ceasefire.store import ledger as ledger_store
from tests.test_cli import run, url_of

PASSPHRASE = "a party passphrase"


def loaded(database, monkeypatch) -> str:
    """The database's URL, with the scenario loaded and a party key's passphrase set."""
    monkeypatch.setenv("CEASEFIRE_KEY_PASSPHRASE", PASSPHRASE)
    url = url_of(database)
    assert run("--database-url", url, "scenario", "load", "syria-2016").exit_code == 0
    return url


@pytest.fixture
def url(database, monkeypatch):
    return loaded(database, monkeypatch)


def add_report(url, *key):
    result = run("--database-url", url, *key, "report", "add", "--party", "TR", "--type",
                 "shelling", "--date", "2017-01-15", "--place", "Aleppo",
                 "--perpetrator", "syrian-government", "--narrative", "Shelling.")
    assert result.exit_code == 0, result.output
    return result


def keygen(url, key, *extra):
    return run("--database-url", url, *extra, "party", "keygen", "TR", "--out", str(key),
               *(() if extra else ("--account", "secretariat")))


def test_a_party_key_signs_its_own_actions(url, database, tmp_path):
    key = tmp_path / "tr.key"
    made = keygen(url, key)
    assert made.exit_code == 0, made.output
    assert key.stat().st_mode & 0o077 == 0  # only its owner may read it
    add_report(url, "--key", str(key))
    add_report(url)  # without the key: the server signs on TR's behalf
    with database.session() as session:
        signed = [(e.action, e.party, e.account, e.on_behalf)
                  for e, _ in ledger_store.entries(session)
                  if e.party == "TR" or e.action == "party.key_registered"]
    # The secretariat registered TR's key (the server signing on its behalf); TR signs.
    assert signed == [("party.key_registered", "SEC", "secretariat", True),
                      ("report.submitted", "TR", None, False),
                      ("report.submitted", "TR", None, True)]
    again = keygen(url, key)
    assert again.exit_code == 1 and "never overwritten" in again.stderr
    # TR's key cannot sign for Russia.
    other = run("--database-url", url, "--key", str(key), "report", "add", "--party", "RU",
                "--type", "shelling", "--date", "2017-01-15", "--place", "Aleppo")
    assert other.exit_code == 1 and "cannot sign for RU" in other.stderr
    verified = run("--database-url", url, "ledger", "verify")
    assert verified.exit_code == 0 and "ledger verified" in verified.stdout


@pytest.mark.slow
def test_a_key_is_replaced_by_itself_and_revoked_then_signs_nothing(url, tmp_path):
    first, second = tmp_path / "tr-1.key", tmp_path / "tr-2.key"
    assert keygen(url, first).exit_code == 0
    # A second key while TR holds one: only in its place.
    twice = keygen(url, tmp_path / "tr-x.key")
    assert twice.exit_code == 1 and "TR holds key" in twice.stderr
    assert not (tmp_path / "tr-x.key").exists()
    rotated = keygen(url, second, "--key", str(first))
    assert rotated.exit_code == 0, rotated.output
    old = run("--database-url", url, "--key", str(first), "report", "add", "--party", "TR",
              "--type", "shelling", "--date", "2017-01-15", "--place", "Aleppo")
    assert old.exit_code == 1 and "was rotated" in old.stderr
    add_report(url, "--key", str(second))
    revoked = run("--database-url", url, "party", "revoke", "TR", "--reason", "laptop lost",
                  "--account", "secretariat")
    assert revoked.exit_code == 0, revoked.output
    gone = run("--database-url", url, "--key", str(second), "report", "add", "--party", "TR",
               "--type", "shelling", "--date", "2017-01-15", "--place", "Aleppo")
    assert gone.exit_code == 1 and "was revoked" in gone.stderr
    listed = run("--database-url", url, "party", "keys").stdout.splitlines()
    assert [line.split()[1:3] for line in listed] == [
        ["server", "current"], ["TR", "rotated"], ["TR", "revoked"]]
    assert run("--database-url", url, "ledger", "verify").exit_code == 0


def test_only_the_secretariat_registers_a_first_key(url, tmp_path, monkeypatch):
    officer = run("--database-url", url, "party", "keygen", "TR", "--out",
                  str(tmp_path / "tr.key"), "--account", "tr-officer")
    assert officer.exit_code == 1 and "the secretariat does" in officer.stderr
    # Someone with the database alone (no server passphrase) registers nothing.
    monkeypatch.setenv("CEASEFIRE_SERVER_PASSPHRASE", "")
    alone = keygen(url, tmp_path / "tr.key")
    assert alone.exit_code == 1 and "CEASEFIRE_SERVER_PASSPHRASE" in alone.stderr
    assert not list(tmp_path.glob("tr.key*"))


def test_a_wrong_passphrase_is_refused(url, tmp_path, monkeypatch):
    key = tmp_path / "tr.key"
    assert keygen(url, key).exit_code == 0
    monkeypatch.setenv("CEASEFIRE_KEY_PASSPHRASE", "not the passphrase")
    result = run("--database-url", url, "--key", str(key), "report", "add", "--party", "TR",
                 "--type", "shelling", "--date", "2017-01-15", "--place", "Aleppo")
    assert result.exit_code == 1 and "wrong passphrase" in result.stderr


def test_verify_names_the_first_bad_entry(url, database):
    add_report(url)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE reports SET narrative = 'Nothing.'"))
    result = run("--database-url", url, "ledger", "verify")
    assert result.exit_code == 1
    assert "entry 9: report" in result.stderr and "differs in the database" in result.stderr


def test_an_export_verifies_offline_and_a_kept_checkpoint_shows_growth(url, tmp_path):
    add_report(url)
    kept = tmp_path / "kept.json"
    kept.write_text(run("--database-url", url, "ledger", "checkpoint").stdout)
    add_report(url)
    out = tmp_path / "export"
    assert run("--database-url", url, "ledger", "export", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoints.jsonl", "entries.jsonl", "keys.json", "writes.jsonl"]
    offline = run("ledger", "verify", "--offline", str(out), "--checkpoint", str(kept))
    assert offline.exit_code == 0, offline.output
    online = run("--database-url", url, "ledger", "verify", "--checkpoint", str(kept))
    assert online.exit_code == 0, online.output
    again = run("--database-url", url, "ledger", "export", str(out))
    assert again.exit_code == 1 and "exists" in again.stderr

    # One byte of one entry changed in the export: named, offline.
    lines = (out / "entries.jsonl").read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if "Shelling." in line)
    lines[n] = lines[n].replace("Shelling.", "Shelling!")
    (out / "entries.jsonl").write_text("\n".join(lines) + "\n")
    bad = run("ledger", "verify", "--offline", str(out))
    assert bad.exit_code == 1 and f"entry {n + 1}: the signature" in bad.stderr


def test_a_checkpoint_the_ledger_did_not_grow_from_is_refused(url, tmp_path):
    add_report(url)
    kept = json.loads(run("--database-url", url, "ledger", "checkpoint").stdout)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**kept, "root": "00" * 32}))
    result = run("--database-url", url, "ledger", "verify", "--checkpoint", str(forged))
    assert result.exit_code == 1 and "its signature does not match" in result.stderr


def test_keygen_for_an_unknown_party_leaves_no_key_file(url, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    result = run("--database-url", url, "party", "keygen", "XX", "--out", str(keys / "xx.key"),
                 "--account", "secretariat")
    assert result.exit_code == 1 and "XX" in result.stderr
    assert list(keys.iterdir()) == []
