"""The ledger from the command line: a party's own key signs its actions, verify names
the first bad entry, an export verifies with no database, and a kept checkpoint shows the
ledger only grew."""

import json

import pytest
from sqlalchemy import text

from ceasefire.store import ledger as ledger_store
from tests.test_cli import run, url_of

PASSPHRASE = "a party passphrase"


@pytest.fixture
def url(database, monkeypatch):
    monkeypatch.setenv("CEASEFIRE_KEY_PASSPHRASE", PASSPHRASE)
    url = url_of(database)
    assert run("--database-url", url, "scenario", "load", "syria-2016").exit_code == 0
    return url


def add_report(url, *key):
    result = run("--database-url", url, *key, "report", "add", "--party", "TR", "--type",
                 "shelling", "--date", "2017-01-15", "--place", "Aleppo",
                 "--perpetrator", "syrian-government", "--narrative", "Shelling.")
    assert result.exit_code == 0, result.output
    return result


def test_a_party_key_signs_its_own_actions(url, database, tmp_path):
    key = tmp_path / "tr.key"
    made = run("--database-url", url, "party", "keygen", "TR", "--out", str(key))
    assert made.exit_code == 0, made.output
    assert key.stat().st_mode & 0o077 == 0  # only its owner may read it
    add_report(url, "--key", str(key))
    add_report(url)  # without the key: the server signs on TR's behalf
    with database.session() as session:
        signed = [(e.action, e.party, e.on_behalf) for e, _ in ledger_store.entries(session)
                  if e.party == "TR"]
    assert signed == [("party.key_registered", "TR", False), ("report.submitted", "TR", False),
                      ("report.submitted", "TR", True)]
    again = run("--database-url", url, "party", "keygen", "TR", "--out", str(key))
    assert again.exit_code == 1 and "never overwritten" in again.stderr
    # TR's key cannot sign for Russia.
    other = run("--database-url", url, "--key", str(key), "report", "add", "--party", "RU",
                "--type", "shelling", "--date", "2017-01-15", "--place", "Aleppo")
    assert other.exit_code == 1 and "cannot sign for RU" in other.stderr
    verified = run("--database-url", url, "ledger", "verify")
    assert verified.exit_code == 0 and "ledger verified" in verified.stdout


def test_a_wrong_passphrase_is_refused(url, tmp_path, monkeypatch):
    key = tmp_path / "tr.key"
    assert run("--database-url", url, "party", "keygen", "TR", "--out", str(key)).exit_code == 0
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
    assert "entry 2: report" in result.stderr and "differs in the database" in result.stderr


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
    result = run("--database-url", url, "party", "keygen", "XX", "--out", str(keys / "xx.key"))
    assert result.exit_code == 1 and "XX" in result.stderr
    assert list(keys.iterdir()) == []
