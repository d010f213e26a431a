"""A ledger its guarantors witness: each runs `ceasefire witness serve` with its own key
and state (real processes on loopback), the log asks them to cosign every new state, and
a checkpoint is witnessed once the quorum has. Witnesses that die, stall or babble hold
nothing up; a log that shows two histories reaches no quorum and leaves signed evidence."""

from __future__ import annotations

import shutil
import socket
import threading
from datetime import date

import httpx2
import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.domain.bulletin import days
from ceasefire.errors import Conflict
from ceasefire.ledger import note
from ceasefire.ledger.checkpoints import checkpoint_of_note
from ceasefire.ledger.witnesses import Witness, Witnesses
from ceasefire.outputs.bulletin_pages import as_markdown
from ceasefire.services import bulletins, ledger, ledger_checks, witnessing
from ceasefire.services.accounts import create_account, get_account
from ceasefire.services.scenarios import load_scenario
from ceasefire.store.db import Database
from ceasefire.witness import WitnessState
from tests.conftest import SERVER_PASSPHRASE
from tests.forgery import rewrite
from tests.witnessing import witnesses

pytestmark = pytest.mark.slow  # witnesses are processes


@pytest.fixture
def record(database, syria_scenario) -> Database:
    load_scenario(database, syria_scenario)
    return database


def grow(db: Database, n: int = 1) -> int:
    """Append `n` entries (accounts made); the ledger's size after."""
    for _ in range(n):
        create_account(db, party="UN", role="observer")
    with db.session() as session:
        return ledger.head(session)[0]


def round_of(db: Database, only: list[Witness] | None = None):
    with httpx2.Client() as http:
        return witnessing.round_of(db, db.witnesses, http, only)


@pytest.mark.db
def test_every_new_state_is_cosigned_by_the_quorum_and_the_pages_say_so(record, tmp_path):
    with witnesses(record, tmp_path):
        made, failed = round_of(record)
        assert failed == {}
        size = grow(record, 2)
        made, failed = round_of(record)  # each witness is sent the proof from its size
        assert failed == {} and made.size == size
        found = witnessing.latest_witnessed(record, record.witnesses)
        assert found is not None and found.witnessed and found.checkpoint.size == size
        settings = Settings(database_url=record.url.render_as_string(hide_password=False))
        with TestClient(create_app(settings, database=record)) as client:
            text, signatures = note.open_note(client.get("/checkpoint").text)
            footer = client.get("/public/incidents").text
        cosigned = {w.party for w in record.witnesses.witnesses
                    if any(w.cosigned_at(text, s.line()) for s in signatures)}
        assert cosigned == {"RU", "TR", "IR"}
        assert f"latest witnessed checkpoint: <strong>{size:,}</strong>" in footer
        assert ledger_checks.verify(record).ok


@pytest.mark.db
def test_without_witnesses_every_page_says_its_checkpoints_are_unwitnessed(record):
    settings = Settings(database_url=record.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=record)) as client:
        for path in ("/public/incidents", "/login"):
            assert "Unwitnessed: no guarantor" in client.get(path).text


@pytest.mark.db
def test_a_witness_killed_mid_log_holds_nothing_up_and_catches_up(record, tmp_path):
    with witnesses(record, tmp_path) as running:
        round_of(record)
        before = witnessing.latest_witnessed(record, record.witnesses).checkpoint.size
        tr = next(w for w in running if w.party == "TR")
        tr.kill()  # SIGKILL
        size = grow(record, 3)  # writes go on
        made, failed = round_of(record)
        assert set(failed) == {tr.key.name} and "unreachable" in failed[tr.key.name]
        assert made.size == size
        # The checkpoint waits: two of three have cosigned it, it is not witnessed yet.
        assert witnessing.latest_witnessed(record, record.witnesses).checkpoint.size == before
        assert len(witnessing.cosigned(record, record.witnesses, size).cosignatures) == 2
        tr.start()  # on the state it had: it resumes from what it cosigned
        made, failed = round_of(record)
        assert failed == {}
        assert witnessing.latest_witnessed(record, record.witnesses).checkpoint.size == size
        assert ledger_checks.verify(record).ok  # nothing lost


@pytest.mark.db
def test_the_server_asks_again_by_itself_once_a_witness_is_back(record, tmp_path):
    """The asking thread the server runs: a witness down at first is asked again after
    its back-off and the checkpoint becomes witnessed with no one asking by hand."""
    with witnesses(record, tmp_path) as running:
        ir = running[2]
        ir.kill()
        asking = witnessing.Witnessing(record, record.witnesses, poll=0.01)
        asking.start()
        try:
            size = grow(record)
            ir.start()
            assert _eventually(lambda: (found := witnessing.latest_witnessed(
                record, record.witnesses)) is not None and found.checkpoint.size >= size)
        finally:
            asking.stop()


def _eventually(condition, seconds: float = 60.0) -> bool:
    """Whether `condition` holds within `seconds` (looked at as it changes, not timed)."""
    ready = threading.Event()
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        ready.wait(0.02)
    return bool(condition())


def _babbling(answer: bytes | None) -> tuple[socket.socket, threading.Thread]:
    """A 'witness' on loopback that answers every request with `answer`, or (None) takes
    the connection and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held = []

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            held.append(conn)
            if answer is not None:
                conn.recv(65536)
                conn.sendall(answer)
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return sock, thread


@pytest.mark.db
@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ngarbage",
    b"HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n\xe2\x80\x94 witness.ru.test AAAAAAAAAA\n",
    b"not http at all\r\n\r\n",
    None,  # never answers
], ids=["garbage", "a forged cosignature", "not http", "silent"])
def test_a_witness_answering_garbage_or_nothing_is_refused_and_writes_go_on(
        record, tmp_path, answer):
    sock, _ = _babbling(answer)
    try:
        with witnesses(record, tmp_path, parties=("TR", "IR")) as running:
            liar = Witness("RU", "witness.ru.test", f"http://127.0.0.1:"
                           f"{sock.getsockname()[1]}", running[0].key.key.verify_key,
                           timeout=0.5)  # the silent one is given up on soon
            record.witnesses = Witnesses(3, (liar, *record.witnesses.witnesses))
            size = grow(record)
            made, failed = round_of(record)
            assert set(failed) == {"witness.ru.test"}
            assert made.size == size and witnessing.latest_witnessed(
                record, record.witnesses) is None
            assert len(witnessing.cosigned(record, record.witnesses, size).cosignatures) == 2
    finally:
        sock.close()


def test_a_log_showing_two_histories_reaches_no_quorum_and_leaves_evidence(
        sqlite_template, syria_scenario, tmp_path):
    """Split view: the host forks its database and shows one history to TR's witness and
    another to RU's. Neither history is witnessed; the witnesses keep both signed notes;
    `ledger verify` given the other witness's checkpoint names the fork."""
    shutil.copy(sqlite_template, tmp_path / "a.db")
    a = Database(f"sqlite:///{tmp_path / 'a.db'}", server_passphrase=SERVER_PASSPHRASE)
    load_scenario(a, syria_scenario)
    with witnesses(a, tmp_path) as running:
        ru, tr, ir = running
        round_of(a)
        shared = witnessing.latest_witnessed(a, a.witnesses).checkpoint.size
        a.dispose()  # the file whole, then forked
        shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
        b = Database(f"sqlite:///{tmp_path / 'b.db'}", server_passphrase=SERVER_PASSPHRASE)
        b.witnesses = a.witnesses
        try:
            create_account(a, party="UN", role="observer")
            create_account(b, party="TR", role="guarantor")  # another entry at the same place
            assert round_of(a, [tr.witness])[1] == {}
            assert round_of(b, [ru.witness])[1] == {}
            _, refused_a = round_of(a)  # RU holds b's history: it refuses a's
            _, refused_b = round_of(b)  # TR and IR hold a's: they refuse b's
            assert set(refused_a) == {ru.key.name}
            assert set(refused_b) == {tr.key.name, ir.key.name}
            for db in (a, b):
                assert witnessing.latest_witnessed(db, db.witnesses).checkpoint.size == shared
            for w in (ru, tr, ir):
                assert WitnessState(w.state).evidence(), f"{w.party} kept no evidence"
            held_by_ru = WitnessState(ru.state).latest(a.origin).note
            problem = ledger_checks.verify(a, [checkpoint_of_note(held_by_ru)]).problem
            assert problem is not None and "another history of that size" in str(problem)
        finally:
            b.dispose()
    a.dispose()


@pytest.mark.db
def test_a_rotated_server_key_signs_on_once_the_witnesses_are_given_it(record, tmp_path):
    """After `ledger rotate-key` the witnesses refuse the new key's checkpoints until each
    guarantor gives its witness the key (`ledger vkeys`); the old key's checkpoints of a
    later size are refused by `ledger verify`: each key signs for the entries of its time."""
    with record.session() as session:
        old_key = ledger._server_key(session)
    with witnesses(record, tmp_path) as running:
        round_of(record)
        ledger.rotate_server_key(record)
        size = grow(record)
        _, failed = round_of(record)
        assert set(failed) == {w.key.name for w in running}
        assert all(" 403 " in why for why in failed.values()), failed
        for w in running:
            w.kill()
            w.logs = ledger.log_vkeys(record)  # both keys: each signed in its time
            w.start()
        made, failed = round_of(record)
        assert failed == {} and made.size == size
        assert witnessing.latest_witnessed(record, record.witnesses).checkpoint.size == size
    assert ledger_checks.verify(record).ok
    forged = note.sign(note.checkpoint_text(record.origin, size, made.root), record.origin,
                       old_key)
    problem = ledger_checks.verify(record, [checkpoint_of_note(forged)]).problem
    assert problem is not None and "not signed by the server key the ledger trusted at " \
        "that size" in str(problem)


@pytest.mark.db
def test_a_bulletin_is_published_only_on_a_witnessed_checkpoint_and_prints_who_cosigned(
        record, tmp_path):
    secretariat = get_account(record, username="secretariat")
    period = days(date(2017, 1, 15), date(2017, 1, 20))
    with witnesses(record, tmp_path) as running:
        running[1].kill()  # TR's witness is down: no quorum of three
        with pytest.raises(Conflict, match="is not witnessed.*TR's witness is unreachable"):
            bulletins.publish(record, period, account=secretariat)
        assert bulletins.listing(record) == []  # nothing half-published
        running[1].start()
        published = bulletins.publish(record, period, account=secretariat)
    witnessed = published.document["witnessed"]
    assert witnessed["witnessed"] and witnessed["size"] >= \
        published.document["checkpoint"]["size"]
    assert [c["party"] for c in witnessed["cosignatures"]] == ["RU", "TR", "IR"]
    text = as_markdown(published.document)
    assert "cosigned by the witnesses of RU, TR, IR (3 of the quorum of 3)" in text
    assert witnessed["note"] in text  # the signed note, for any C2SP tool


@pytest.mark.db
def test_a_bulletin_without_witnesses_says_it_is_unwitnessed(record):
    secretariat = get_account(record, username="secretariat")
    published = bulletins.publish(record, days(date(2017, 1, 15), date(2017, 1, 20)),
                                  account=secretariat)
    assert published.document["witnessed"] is None
    assert "signed by the server alone (unwitnessed)" in as_markdown(published.document)


@pytest.mark.db
def test_a_host_that_rewrites_an_old_entry_and_signs_all_again_is_refused_by_every_witness(
        record, tmp_path):
    with witnesses(record, tmp_path) as running:
        grow(record, 5)
        round_of(record)
        held = witnessing.latest_witnessed(record, record.witnesses).checkpoint.size
        rewrite(record, 4)  # re-signed to the end with the server key: the chain holds
        grow(record)
        _, failed = round_of(record)
        assert set(failed) == {w.key.name for w in running}
        assert all(" 422 " in why or " 409 " in why for why in failed.values()), failed
        for w in running:  # each keeps the log's own signed checkpoints as evidence
            assert WitnessState(w.state).evidence(), f"{w.party} kept no evidence"
            assert WitnessState(w.state).latest(record.origin).size == held
        assert witnessing.latest_witnessed(record, record.witnesses) is None
