"""A guarantor's mirror of the log (services/mirroring.py): fetched as tiles from a real
server, verified entry by entry, kept as an export `ledger verify --offline` accepts; and
a host that rewrites history, or serves a byte changed, is named and the mirror kept."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.cli import cli
from ceasefire.config import Settings
from ceasefire.ledger import note
from ceasefire.services import ledger, ledger_checks, mirroring
from ceasefire.services.accounts import issue_token
from ceasefire.services.mirroring import MirrorFault, mirror
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import durable
from ceasefire.store import ledger as ledger_store
from ceasefire.store.db import Database
from tests.forgery import rewrite

pytestmark = pytest.mark.db

BASE = "http://testserver"  # the TestClient's


@pytest.fixture
def record(database: Database, syria_scenario) -> Database:
    """The scenario's ledger: 8 entries."""
    load_scenario(database, syria_scenario)
    return database


@pytest.fixture
def log(record: Database) -> Iterator[TestClient]:
    """The ledger served by the app; the TestClient is an httpx2.Client, so the mirror
    fetches through it."""
    database = record
    settings = Settings(database_url=database.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=database)) as client:
        yield client


def grow(db: Database, n: int) -> None:
    """n more entries (tokens issued), each signed by the server."""
    for _ in range(n):
        issue_token(db, username="secretariat")


def size_of(db: Database) -> int:
    with db.session() as session:
        return ledger_store.head(session)[0]


def files(directory: Path) -> dict[str, bytes]:
    """Every file in the directory and its bytes (the lock aside)."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())
            if p.name != mirroring.LOCK}


class Through(httpx2.BaseTransport):
    """The app's transport, with what the test does to each answer (`change`: path, body
    -> body) and the paths asked for."""

    def __init__(self, inner: httpx2.BaseTransport,
                 change: Callable[[str, bytes], bytes] | None = None) -> None:
        self.inner, self.change, self.asked = inner, change, []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        answer = self.inner.handle_request(request)
        self.asked.append(request.url.path)
        if self.change is None:
            return answer
        body = self.change(request.url.path, answer.read())
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() != "content-length"]
        return httpx2.Response(answer.status_code, headers=headers, content=body)


def through(log: TestClient, change: Callable[[str, bytes], bytes] | None = None,
            ) -> tuple[httpx2.Client, Through]:
    transport = Through(log._transport, change)
    return httpx2.Client(transport=transport), transport


# -- a mirror that verifies -------------------------------------------------------------------

def test_a_first_mirror_verifies_and_is_an_export(log, database, tmp_path):
    found = mirror(BASE, tmp_path / "mirror", client=log)
    size = size_of(database)
    assert (found.size, found.previous, found.fetched, found.verified) == (size, 0, size, size)
    made = ledger.checkpoint(database)
    assert (found.root, found.checkpoint.size) == (made.root, size)
    assert found.checkpoint.signer == made.signer  # resolved among the entries' keys
    assert found.origin == database.origin

    checked = ledger_checks.verify_export(tmp_path / "mirror")
    assert checked.ok, checked.problem
    assert (checked.entries, checked.root, checked.checkpoints) == (size, made.root, 1)
    said = CliRunner().invoke(cli, ["ledger", "verify", "--offline",
                                    str(tmp_path / "mirror")])
    assert said.exit_code == 0, said.output

    # The same entries and written records as `ledger export` gives, and the same keys.
    ledger_checks.export(database, tmp_path / "export")
    for name in (ledger_checks.ENTRIES, ledger_checks.WRITES):
        assert (tmp_path / "mirror" / name).read_bytes() == \
            (tmp_path / "export" / name).read_bytes(), name

    def keys(path: Path) -> list[tuple[str, str | None, str, str]]:
        return sorted((k["key_id"], k["party"], k["public"], k["status"])
                      for k in json.loads(path.read_text()))
    assert keys(tmp_path / "mirror" / "keys.json") == keys(tmp_path / "export" / "keys.json")
    state = json.loads((tmp_path / "mirror" / mirroring.STATE).read_text())
    assert (state["size"], state["root"], state["origin"]) == (size, made.root.hex(),
                                                               database.origin)


def test_the_ledger_grows_and_each_pass_fetches_only_the_new_range(log, database,
                                                                    tmp_path):
    first = mirror(BASE, tmp_path / "m", client=log)
    grow(database, 150)
    ledger.rotate_server_key(database)  # the checkpoints after are signed by a new key
    grow(database, 150)  # 309 entries: a full bundle, and a partial one
    client, seen = through(log)
    second = mirror(BASE, tmp_path / "m", client=client)
    assert (second.previous, second.size, second.fetched) == (first.size, 309, 301)
    assert sorted(p for p in seen.asked if "entries" in p or "writes" in p) == [
        "/tile/entries/000", "/tile/entries/001.p/53", "/writes/000", "/writes/001.p/53"]
    assert second.checkpoint.signer != first.checkpoint.signer

    grow(database, 5)
    client, seen = through(log)
    third = mirror(BASE, tmp_path / "m", client=client)
    assert (third.previous, third.fetched, third.verified) == (309, 5, 314)
    # Only the bundle that holds the new entries; the hash tiles cover all (the check
    # that the log still holds what is mirrored).
    assert sorted(p for p in seen.asked if "entries" in p or "writes" in p) == [
        "/tile/entries/001.p/58", "/writes/001.p/58"]
    assert sorted(p for p in seen.asked if p.startswith("/tile/0/")) == [
        "/tile/0/000", "/tile/0/001.p/58"]

    checked = ledger_checks.verify_export(tmp_path / "m")
    assert checked.ok, checked.problem
    assert (checked.entries, checked.root, checked.checkpoints) == (314, third.root, 3)
    assert third.root == ledger.checkpoint(database).root

    # Nothing new: the pass verifies again and changes nothing but its state's time.
    before = files(tmp_path / "m")
    client, seen = through(log)
    again = mirror(BASE, tmp_path / "m", client=client)
    assert (again.size, again.fetched, again.verified) == (314, 0, 314)
    assert not [p for p in seen.asked if "entries" in p or "writes" in p]
    after = files(tmp_path / "m")
    assert {k: v for k, v in after.items() if k != mirroring.STATE} == \
        {k: v for k, v in before.items() if k != mirroring.STATE}


# -- a host that rewrites history -------------------------------------------------------------

def test_a_rewritten_entry_is_named_and_the_mirror_kept_as_evidence(log, database,
                                                                     tmp_path):
    grow(database, 20)
    mirror(BASE, tmp_path / "m", client=log)
    kept = files(tmp_path / "m")
    rewrite(database, 4)
    grow(database, 3)  # and the log goes on, under a checkpoint the server signs

    with pytest.raises(MirrorFault, match="entry 4 was rewritten: the log now serves "
                       "another entry at 4 than the one mirrored"):
        mirror(BASE, tmp_path / "m", client=log)
    assert files(tmp_path / "m") == kept
    assert ledger_checks.verify_export(tmp_path / "m").ok

    # The rewritten log verifies alone: only a mirror (or a checkpoint kept) tells.
    fresh = mirror(BASE, tmp_path / "fresh", client=log)
    assert fresh.size == 31 and ledger_checks.verify_export(tmp_path / "fresh").ok


def test_a_checkpoint_smaller_than_the_mirror_is_refused(log, database, tmp_path):
    old = log.get("/checkpoint").text
    grow(database, 4)
    mirror(BASE, tmp_path / "m", client=log)
    kept = files(tmp_path / "m")
    client, _ = through(log, lambda path, body: old.encode() if path == "/checkpoint"
                        else body)
    with pytest.raises(MirrorFault, match=r"checkpoint is of 8 entries, but 12 are mirrored:"
                       r" entries 9\.\.12 were removed"):
        mirror(BASE, tmp_path / "m", client=client)
    assert files(tmp_path / "m") == kept


# -- a byte changed in what the log serves -----------------------------------------------------

def flip(at: int) -> Callable[[bytes], bytes]:
    return lambda body: body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1:]


def other_digest(body: bytes) -> bytes:
    """A written record's digest with one hex digit changed: still JSON."""
    return re.sub(rb'([0-9a-f])"\]', lambda m: (b"0" if m[1] != b"0" else b"1") + b'"]',
                  body, count=1)


def other_root(body: bytes) -> bytes:
    """The checkpoint's root line with one base64 letter changed."""
    lines = body.split(b"\n")
    lines[2] = (b"B" if lines[2][:1] != b"B" else b"C") + lines[2][1:]
    return b"\n".join(lines)


@pytest.mark.parametrize(("served", "change", "named"), [
    ("/tile/0/000.p/8", flip(100), "the log's tiles and entries disagree at entry 4"),
    ("/tile/entries/000.p/8", flip(40), "the log's tiles and entries disagree at entry 1"),
    ("/writes/000.p/8", other_digest, "the records it wrote are not those it signed"),
    ("/checkpoint", other_root, "its signature does not match"),
], ids=["hash tile", "entry bundle", "written records", "checkpoint"])
def test_a_byte_changed_in_what_the_log_serves_is_refused(log, tmp_path, served, change,
                                                          named):
    client, seen = through(log, lambda path, body: change(body) if path == served else body)
    with pytest.raises(MirrorFault, match=named):
        mirror(BASE, tmp_path / "m", client=client)
    assert served in seen.asked
    assert files(tmp_path / "m") == {}  # nothing written, not even half a mirror


def test_a_tile_changed_under_a_mirror_names_the_entry_and_keeps_it(log, database,
                                                                    tmp_path):
    mirror(BASE, tmp_path / "m", client=log)
    kept = files(tmp_path / "m")
    grow(database, 2)
    client, _ = through(log, lambda path, body: flip(2 * 32 + 5)(body)
                        if path.startswith("/tile/0/") else body)
    with pytest.raises(MirrorFault, match="entry 3 was rewritten"):
        mirror(BASE, tmp_path / "m", client=client)
    assert files(tmp_path / "m") == kept


# -- whole or not at all ----------------------------------------------------------------------

def test_a_pass_killed_while_renaming_is_completed_by_the_next(log, database, tmp_path,
                                                              monkeypatch):
    mirror(BASE, tmp_path / "m", client=log)
    grow(database, 3)
    real = mirroring.os.replace
    renamed: list[str] = []

    def killed(source, target):  # the journal, then entries.jsonl; then the process dies
        if len(renamed) == 2:
            raise KeyboardInterrupt
        renamed.append(str(target))
        real(source, target)

    monkeypatch.setattr(mirroring.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        mirror(BASE, tmp_path / "m", client=log)
    monkeypatch.setattr(mirroring.os, "replace", real)
    assert (tmp_path / "m" / mirroring.JOURNAL).exists()

    found = mirror(BASE, tmp_path / "m", client=log)
    assert (found.previous, found.size) == (11, 11)  # the killed pass's, completed
    assert not (tmp_path / "m" / mirroring.JOURNAL).exists()
    assert not list((tmp_path / "m").glob(".*.new"))
    assert ledger_checks.verify_export(tmp_path / "m").ok


def test_a_pass_that_fails_before_its_commit_leaves_the_mirror_as_it_was(
        log, database, tmp_path, monkeypatch):
    mirror(BASE, tmp_path / "m", client=log)
    kept = files(tmp_path / "m")
    grow(database, 3)
    real = durable.write_new

    def full_disk(path: Path, data: bytes, **options: int) -> None:
        if mirroring.STATE in path.name:
            raise OSError(28, "No space left on device")
        real(path, data, **options)

    monkeypatch.setattr(durable, "write_new", full_disk)
    with pytest.raises(mirroring.StorageUnavailable, match="No space left"):
        mirror(BASE, tmp_path / "m", client=log)
    assert files(tmp_path / "m") == kept


def test_a_mirror_edited_on_disk_is_named(log, tmp_path):
    mirror(BASE, tmp_path / "m", client=log)
    entries = tmp_path / "m" / "entries.jsonl"
    entries.write_bytes(entries.read_bytes().replace(b'"seq":2', b'"seq":2 ', 1))
    with pytest.raises(mirroring.MirrorError, match="entries.jsonl is not as this mirror "
                       "last wrote it"):
        mirror(BASE, tmp_path / "m", client=log)


def test_a_directory_that_is_not_a_mirror_is_refused(log, database, tmp_path):
    ledger_checks.export(database, tmp_path / "export")
    with pytest.raises(mirroring.InvalidInput, match="not a mirror"):
        mirror(BASE, tmp_path / "export", client=log)


def test_the_checkpoint_kept_is_the_note_served_with_its_signer(log, tmp_path):
    served = log.get("/checkpoint").text
    mirror(BASE, tmp_path / "m", client=log)
    (line,) = (tmp_path / "m" / "checkpoints.jsonl").read_text().splitlines()
    kept = json.loads(line)
    assert kept["note"] == served and kept["signer"] and kept["trust"]
    text_, signatures = note.open_note(served)
    assert bytes.fromhex(kept["signature"]) in [s.data for s in signatures]


# -- `ceasefire witness mirror`, against a server on loopback ----------------------------------

@pytest.fixture
def served(record: Database) -> Iterator[str]:
    from tests.web.conftest import serving

    with serving(record) as url:
        yield url


def run(*args: str):
    return CliRunner().invoke(cli, ["witness", "mirror", *args])


def test_the_command_mirrors_once_and_says_what_it_verified(served, database, tmp_path):
    said = run("--log", served, "--dir", str(tmp_path / "m"))
    assert said.exit_code == 0, said.output
    assert said.output.count("\n") == 1
    assert f"{database.origin}: 8 entries mirrored (8 new), 8 verified" in said.output
    offline = CliRunner().invoke(cli, ["ledger", "verify", "--offline", str(tmp_path / "m")])
    assert offline.exit_code == 0, offline.output


def test_the_command_mirrors_every_n_seconds_until_stopped(served, database, tmp_path,
                                                          monkeypatch):
    import threading
    import time

    real = time.sleep
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the command's wait: the log grows, then a Ctrl-C
        if threading.current_thread() is not threading.main_thread():
            return real(seconds)
        waits.append(seconds)
        if len(waits) == 3:
            raise KeyboardInterrupt
        grow(database, 2)
        return None

    monkeypatch.setattr(time, "sleep", sleep)
    said = run("--log", served, "--dir", str(tmp_path / "m"), "--every", "30")
    assert said.exit_code == 0, said.output
    assert waits == [30.0, 30.0, 30.0]
    lines = said.output.splitlines()
    assert [re.search(r": (\d+) entries mirrored \((\d+) new\), (\d+) verified", line)
            .groups() for line in lines] == [("8", "8", "8"), ("10", "2", "10"),
                                             ("12", "2", "12")]


def test_the_command_prints_a_fault_and_exits_1(served, database, tmp_path):
    assert run("--log", served, "--dir", str(tmp_path / "m")).exit_code == 0
    kept = files(tmp_path / "m")
    rewrite(database, 3)
    grow(database, 1)
    for every in ([], ["--every", "5"]):
        said = run("--log", served, "--dir", str(tmp_path / "m"), *every)
        assert said.exit_code == 1, said.output
        assert "entry 3 was rewritten" in said.stderr
        assert files(tmp_path / "m") == kept
