"""Bulletins: their numbers against an independent count of the record in SQL, on both
backends; the change on the period before; the command's outputs and its refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import text

from ceasefire.domain.agreement import Position
from ceasefire.domain.when import Period
from ceasefire.errors import InvalidInput
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import verification
from ceasefire.services.bulletins import issue
from ceasefire.services.reports import submit_report
from tests.conftest import Recipe
from tests.records import UCDP_IMPORTED
from tests.test_cli import run, url_of

JANUARY = Period(datetime(2017, 1, 1, tzinfo=UTC), datetime(2017, 2, 1, tzinfo=UTC))


GUARANTORS = ("ru-officer", "tr-officer", "ir-officer")
# What the guarantors attribute the three deadliest covered incidents to when confirming
# them (None: no actor named): one actor, two different ones, none.
ATTRIBUTIONS = (("syrian-government", "syrian-government", None),
                ("syrian-government", "jaysh-al-islam", None), (None, None, None))


def _verdicts(db, tmp) -> None:
    submit_report(db, ReportIn.model_validate({
        "when": {"date": "2017-01-20"}, "place": {"name": "Douma"}, "violation": "shelling",
        "perpetrators": ["syrian-government"], "casualties": {"best": 9}}), party="TR")
    covered = [v.incident for v in _covered(db)]
    for who in GUARANTORS:
        _cast(db, covered[0], who, Position.CONFIRM, "syrian-government")
    _cast(db, covered[1], "ru-officer", Position.CONFIRM)
    _cast(db, covered[1], "tr-officer", Position.REJECT)


def _attributed(db, tmp) -> None:
    covered = [v.incident for v in _covered(db)]
    deadliest = [u for u in _deadliest_covered(db) if u not in covered[:3]][:3]
    for uid, named in zip(deadliest, ATTRIBUTIONS, strict=True):
        for who, actor in zip(GUARANTORS, named, strict=True):
            _cast(db, uid, who, Position.CONFIRM, actor)


def _deadliest_covered(db) -> list[str]:
    with db.engine.connect() as connection:
        return connection.execute(text(
            "SELECT i.uid FROM incidents i JOIN assessments a ON a.incident_uid = i.uid "
            "JOIN incident_reports ir ON ir.incident_id = i.id "
            "JOIN reports r ON r.id = ir.report_id WHERE a.covered AND i.earliest >= :a "
            "AND i.earliest < :b GROUP BY i.uid ORDER BY max(r.killed_best) DESC, i.uid"),
            {"a": JANUARY.start, "b": JANUARY.end}).scalars().all()


VERDICTS = Recipe("bulletin", _verdicts, base=UCDP_IMPORTED)
# ...and the three deadliest covered incidents confirmed too, attributed to one actor, to
# two different ones, to none.
ATTRIBUTED = Recipe("bulletin_attributed", _attributed, base=VERDICTS)


@pytest.fixture
def record(built_records, backend, request):
    """The UCDP extract reported by the secretariat, a Turkish report of its own, and
    verdicts: one incident confirmed by all three guarantors (attributed to the Syrian
    government), one disputed."""
    return built_records.copy(request, VERDICTS)


def _covered(db):
    with db.engine.connect() as connection:
        uids = connection.execute(text(
            "SELECT i.uid FROM incidents i JOIN assessments a ON a.incident_uid = i.uid "
            "WHERE a.covered AND i.earliest >= :a AND i.earliest < :b ORDER BY i.uid"),
            {"a": JANUARY.start, "b": JANUARY.end}).scalars().all()
    return [verification.read(db, uid)[0] for uid in uids]


def _cast(db, incident, who, position, attributed_to=None):
    version = verification.read(db, incident)[0].version
    verification.cast(db, None, incident, username=who, position=position,
                      seen_version=version, attributed_to=attributed_to)


def independent(db, period: Period) -> dict:
    """The bulletin's numbers, counted straight from the tables."""
    where = "i.earliest >= :a AND i.earliest < :b"
    args = {"a": period.start, "b": period.end}
    with db.engine.connect() as c:
        def rows(sql):
            return c.execute(text(sql), args).all()
        status = ("CASE WHEN a.covered THEN a.status ELSE 'not-covered' END")
        return {
            "incidents": rows(f"SELECT count(*) FROM incidents i WHERE {where}")[0][0],
            "by_status": dict(rows(
                f"SELECT {status}, count(*) FROM incidents i JOIN assessments a "
                f"ON a.incident_uid = i.uid WHERE {where} GROUP BY 1")),
            "by_governorate": dict(rows(
                f"SELECT coalesce(i.adm1, 'unknown'), count(*) FROM incidents i "
                f"WHERE {where} GROUP BY 1")),
            "by_party": dict(rows(
                f"SELECT p.code, count(DISTINCT i.id) FROM incidents i "
                f"JOIN incident_reports ir ON ir.incident_id = i.id "
                f"JOIN reports r ON r.id = ir.report_id JOIN parties p ON p.id = r.party_id "
                f"WHERE {where} GROUP BY 1")),
            "killed": rows(
                f"SELECT coalesce(sum(k), 0) FROM (SELECT max(r.killed_best) AS k "
                f"FROM incidents i JOIN incident_reports ir ON ir.incident_id = i.id "
                f"JOIN reports r ON r.id = ir.report_id WHERE {where} GROUP BY i.id) t")[0][0],
        }


def test_a_bulletins_numbers_equal_an_independent_count(record):
    issued = issue(record, JANUARY)
    b, want = issued.bulletin, independent(record, JANUARY)
    assert b.tally.incidents == want["incidents"] > 400
    assert b.tally.by_status == {k: want["by_status"][k] for k in b.tally.by_status}
    assert set(b.tally.by_status) == set(want["by_status"])
    assert b.tally.by_status["confirmed"] == 1 and b.tally.by_status["disputed"] == 1
    assert {g: sum(s.values()) for g, s in b.tally.by_governorate.items()} == \
        want["by_governorate"]
    assert {p: sum(s.values()) for p, s in b.tally.by_party.items()} == want["by_party"]
    assert b.tally.by_party["TR"] == {"pending": 1}
    assert b.tally.killed == want["killed"]
    before = independent(record, JANUARY.before())
    assert b.previous.incidents == before["incidents"]
    assert b.change.incidents == want["incidents"] - before["incidents"]
    # Only confirmed incidents are named; the disputed and the pending are counted.
    assert [x.status.value for x in b.notable] == ["confirmed"]
    # The checkpoint covers every entry the counts could see, and every record they were
    # read from was checked against it.
    with record.engine.connect() as c:
        entries = c.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one()
    assert issued.checkpoint.size == entries
    assert issued.verified > want["incidents"] * 2  # incidents, reports, assessments…


def test_a_period_must_end_after_it_starts():
    start = datetime(2017, 1, 5, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="before it starts"):
        Period(start, start - timedelta(days=1))


def test_the_command_writes_markdown_and_json(record, tmp_path):
    url = url_of(record)
    daily = run("--database-url", url, "bulletin", "--date", "2017-01-20")
    assert daily.exit_code == 0, daily.output
    assert daily.stdout.startswith("# Daily bulletin, 20 January 2017 (draft, not published)")
    assert "ريف دمشق" in daily.stdout and "| Republic of Turkey | 1 |" in daily.stdout
    out = tmp_path / "january.json"
    period = run("--database-url", url, "bulletin", "--from", "2017-01-01", "--to",
                 "2017-01-31", "--format", "json", "--out", str(out))
    assert period.exit_code == 0, period.output
    shown = json.loads(out.read_text(encoding="utf-8"))
    assert shown["incidents"] == independent(record, JANUARY)["incidents"]
    assert shown["period"] == {"from": "2017-01-01T00:00:00+00:00",
                               "to": "2017-02-01T00:00:00+00:00"}
    both = run("--database-url", url, "bulletin", "--date", "2017-01-20", "--from",
               "2017-01-01")
    assert both.exit_code == 1 and "give --date D, or both --from A and --to B" in both.stderr
    bad = run("--database-url", url, "bulletin", "--date", "20/01/2017")
    assert bad.exit_code == 1 and "not a date" in bad.stderr


class _Cells(HTMLParser):
    """The rows of a page's tables, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_the_html_bulletin_holds_the_same_numbers_and_marks_arabic(record, tmp_path):
    url = url_of(record)
    page = run("--database-url", url, "bulletin", "--from", "2017-01-01", "--to",
               "2017-01-31", "--format", "html").stdout
    want = independent(record, JANUARY)
    cells = _Cells()
    cells.feed(page)
    counted = {row[0]: int(row[1]) for row in cells.rows if row and row[1].isdigit()}
    assert counted["Rural Damascus ريف دمشق"] == want["by_governorate"]["SY03"]
    assert counted["Republic of Turkey"] == want["by_party"]["TR"] == 1
    assert '<bdi lang="ar" dir="rtl">حلب</bdi>' in page
    assert "<script" not in page and "&#34;" not in page  # the style sheet is not escaped
    assert "than in the 31 days before" in page
