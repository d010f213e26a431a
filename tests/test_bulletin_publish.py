"""Publishing bulletins, on both backends: kept as issued with a ledger entry that signs
the document's digest; a correction never edits the bulletin before it; only the
secretariat publishes; `ledger verify` names the entry when a published bulletin is
changed behind the application's back. And the command's PDF."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from ceasefire.domain.when import Period
from ceasefire.errors import Forbidden
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import bulletins, ledger_checks
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import ledger as ledger_store
from tests.fingerprint import fingerprint
from tests.test_cli import run, url_of

JANUARY = Period(datetime(2017, 1, 1, tzinfo=UTC), datetime(2017, 2, 1, tzinfo=UTC))


def shelling(place: str, day: str, killed: int) -> ReportIn:
    return ReportIn.model_validate({
        "when": {"date": day}, "place": {"name": place}, "violation": "shelling",
        "perpetrators": ["syrian-government"], "casualties": {"best": killed}})


@pytest.fixture
def record(database, syria_scenario):
    """Three incidents in January: Douma (Rural Damascus) and Aleppo twice."""
    load_scenario(database, syria_scenario)
    submit_report(database, shelling("Douma", "2017-01-20", 9), party="TR")
    submit_report(database, shelling("Aleppo", "2017-01-12", 3), party="RU")
    submit_report(database, shelling("Aleppo", "2017-01-25", 2), party="UN")
    return database


def stored(db) -> list[tuple[int, str]]:
    with db.engine.connect() as c:
        return [tuple(r) for r in c.execute(text(
            "SELECT id, document FROM bulletins ORDER BY id"))]


def entries(db):
    with db.session() as session:
        return [e for e, _ in ledger_store.entries(session)]


def test_publishing_keeps_the_bulletin_as_issued_with_a_ledger_entry(record):
    done = bulletins.publish(record, JANUARY, username="secretariat")
    [(bulletin_id, document)] = stored(record)
    assert bulletin_id == done.id and json.loads(document) == done.document
    assert done.document["incidents"] == 3 and done.document["killed"] == 14
    entry = entries(record)[-1]
    assert (entry.seq, entry.action, entry.party, entry.account) == (
        done.seq, "bulletin.published", "SEC", "secretariat")
    assert entry.payload["document_sha256"] == hashlib.sha256(document.encode()).hexdigest()
    assert entry.payload["checkpoint"] == {k: done.document["checkpoint"][k]
                                           for k in ("size", "root")}
    assert entry.payload["bulletin"] == done.id and entry.payload["corrects"] is None
    verified = ledger_checks.verify(record)
    assert verified.ok, verified.problem
    shown = bulletins.shown(record, done.id)
    assert shown.text == document and shown.superseded_by is None


def test_publishing_again_makes_a_correction_and_leaves_the_first_alone(record):
    first = bulletins.publish(record, JANUARY, username="secretariat")
    before = stored(record)
    submit_report(record, shelling("Douma", "2017-01-30", 1), party="TR")
    second = bulletins.publish(record, JANUARY, username="secretariat")
    assert second.corrects == first.id and second.document["incidents"] == 4
    assert stored(record)[0] == before[0]  # the first, unchanged
    [listed] = bulletins.listing(record)
    assert listed.bulletin.id == second.id and [x.id for x in listed.superseded] == [first.id]
    assert bulletins.shown(record, first.id).superseded_by == second.id
    assert [x.id for x in bulletins.shown(record, second.id).corrects] == [first.id]
    # Another period is listed on its own.
    day = bulletins.publish(record, Period(datetime(2017, 1, 20, tzinfo=UTC),
                                           datetime(2017, 1, 21, tzinfo=UTC)),
                            username="secretariat")
    assert day.corrects is None and len(bulletins.listing(record)) == 2
    assert ledger_checks.verify(record).ok


@pytest.mark.parametrize("username", ["ru-officer", "un-monitor", "analyst"])
def test_only_the_secretariat_publishes(record, username):
    before = fingerprint(record)
    with pytest.raises(Forbidden, match="cannot publish bulletins"):
        bulletins.publish(record, JANUARY, username=username)
    assert fingerprint(record) == before


TAMPERING = {
    "a number in the document": "UPDATE bulletins SET document = "
                                "replace(document, '\"incidents\": 3', '\"incidents\": 2')",
    "the digest beside it": "UPDATE bulletins SET document_sha256 = '" + "0" * 64 + "'",
    "the checkpoint it rests on": "UPDATE bulletins SET checkpoint_size = checkpoint_size - 1",
    "a deleted bulletin": "DELETE FROM bulletins",
}


@pytest.mark.parametrize("what", TAMPERING)
def test_verify_names_the_entry_when_a_published_bulletin_is_changed(record, what):
    done = bulletins.publish(record, JANUARY, username="secretariat")
    with record.engine.begin() as c:
        assert c.execute(text(TAMPERING[what])).rowcount == 1
    problem = ledger_checks.verify(record).problem
    assert problem is not None and problem.seq == done.seq, (what, problem)
    assert f"bulletin {done.id}" in str(problem)


def test_the_command_publishes_for_a_secretariat_account_only(record, tmp_path):
    url = url_of(record)
    refused = run("--database-url", url, "bulletin", "--date", "2017-01-20", "--publish",
                  "--account", "ru-officer")
    assert refused.exit_code == 1 and "cannot publish bulletins" in refused.stderr
    unnamed = run("--database-url", url, "bulletin", "--date", "2017-01-20", "--publish")
    assert unnamed.exit_code == 1 and "--publish needs --account" in unnamed.stderr
    assert stored(record) == []
    out = tmp_path / "day.json"
    done = run("--database-url", url, "bulletin", "--date", "2017-01-20", "--publish",
               "--account", "secretariat", "--format", "json", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "bulletin 1 published" in done.stderr
    [(_, document)] = stored(record)
    assert out.read_text(encoding="utf-8") == document
    # The bulletin's JSON is a checkpoint to hold the ledger to.
    held = run("--database-url", url, "ledger", "verify", "--checkpoint", str(out))
    assert held.exit_code == 0, held.output


def pdf_text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_command_writes_a_pdf_with_the_numbers_and_the_checkpoint(record, tmp_path):
    url = url_of(record)
    to_terminal = run("--database-url", url, "bulletin", "--date", "2017-01-20",
                      "--format", "pdf")
    assert to_terminal.exit_code == 1 and "give --out FILE" in to_terminal.stderr
    out, as_json = tmp_path / "january.pdf", tmp_path / "january.json"
    args = ("--database-url", url, "bulletin", "--from", "2017-01-01", "--to", "2017-01-31")
    assert run(*args, "--format", "json", "--out", str(as_json)).exit_code == 0
    done = run(*args, "--format", "pdf", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF-")
    shown = pdf_text(out)
    document = json.loads(as_json.read_text(encoding="utf-8"))
    assert "Report to the talks, 1 January 2017 to 31 January 2017" in shown
    assert f"recorded {document['incidents']} incidents" in shown
    assert f"At least {document['killed']} people were killed" in shown
    # Arabic names come out whole (shaped right to left, extracted in reading order).
    assert "ريف دمشق" in shown and "حلب" in shown
    assert document["checkpoint"]["root"] in "".join(shown.split())
