"""A report's digest made from the values its writer has just written is the digest read
back from the stored rows, byte for byte, on both backends, and so the one `ledger verify`
recomputes: for awkward values too (Unicode beyond the BMP, None in every optional field,
the ends of every range, a negative zero, twenty actors a side, several pieces of
evidence), on the bulk path and the single one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from ceasefire.domain.casualties import DEATHS_MAX, Casualties
from ceasefire.domain.place import AdminCodes, Place, Point, WherePrecision
from ceasefire.domain.report import Evidence, Report, Source
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import TimePrecision, When
from ceasefire.services import ledger, ledger_checks
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import changes
from ceasefire.store.digests import digests
from ceasefire.store.reports import ReportWriter

ARRIVED = datetime(2017, 1, 6, 9, 30, 15, 123456, tzinfo=UTC)


def _report(n: int, actors: list[str], **overrides: object) -> Report:
    values: dict[str, object] = dict(
        id=f"00000000-0000-4000-8000-{n:012d}", submitted_by="RU", received_at=ARRIVED,
        when=When.exact(datetime(2017, 1, 5, 14, 30, tzinfo=UTC)),
        place=Place(Point(36.6339, 35.9306), WherePrecision.EXACT,
                    AdminCodes("SY07", "SY0703", "SY070300"), "Idlib"),
        violation=ViolationType.SHELLING, source=Source("SOHR", f"key-{n}"),
        perpetrators=(actors[0],), targets=(actors[1],))
    values.update(overrides)
    return Report(**values)  # type: ignore[arg-type]


def _awkward(actors: list[str]) -> list[Report]:
    plus_five_thirty = timezone(timedelta(hours=5, minutes=30))
    many = actors[:20]
    return [
        _report(1, actors),
        # Unicode: Arabic, astral-plane symbols, combining marks, direction marks, quotes,
        # backslashes, line ends and tabs, in every free-text column.
        _report(2, actors, place=Place(Point(37.1343, 36.2021), WherePrecision.NEAR,
                                       AdminCodes("SY02"), "حلب \u200f«الشرقية»"),
                source=Source("مرصد 🛰️", "مفتاح/٢:\"x\"\\y",
                              "https://example.org/é?q=\u0301&r=\U0001f4a5"),
                perpetrator_text="Jaysh al-Fatḥ \U0001d4d0 \"IS\"\\",
                target_text="civilians\tand\r\nothers ‎", civilians_targeted=True,
                narrative="Shelling 💣 at dawn.\nالقصف\r\n\ttab \\ \"quoted\" e\u0301",
                evidence=(Evidence("صورة 📷", "ab" * 32, "file:///tmp/ü.jpg"),
                          Evidence("second", None, None), Evidence("third \x7f", None,
                                                                   "urn:x"))),
        # None wherever the record allows it: no point, no actors, no texts, no figures.
        _report(3, actors, place=Place(None, WherePrecision.GOVERNORATE, AdminCodes("SY02"),
                                       None),
                source=Source("bench"), perpetrators=(), targets=(),
                casualties=Casualties(0, 0, 0, None, None, None, None)),
        # The ends of the ranges: the calendar's, the globe's, the casualty figures'; a
        # negative zero; the smallest float; an integral float; times off UTC.
        _report(4, actors, place=Place(Point(-0.0, 5e-324), WherePrecision.EXACT,
                                       AdminCodes(), None),
                when=When(datetime(1900, 1, 1, tzinfo=UTC),
                          datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
                          TimePrecision.YEAR),
                received_at=datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
                source=Source("x" * 200, "k" * 200, "r" * 2000,
                              datetime(2017, 1, 5, 20, 0, 0, 1, tzinfo=plus_five_thirty)),
                casualties=Casualties(DEATHS_MAX, DEATHS_MAX, DEATHS_MAX, DEATHS_MAX, 0, 0,
                                      DEATHS_MAX)),
        _report(5, actors, place=Place(Point(-180.0, 90.0), WherePrecision.EXACT,
                                       AdminCodes(), None),
                casualties=Casualties(1, 2, 3, 0, 0, 2, 0)),
        _report(6, actors, place=Place(Point(180.0, -90.0), WherePrecision.EXACT,
                                       AdminCodes(), "x"),
                narrative="n" * 20_000),
        # Twenty actors a side, in an order that is not the actors' own.
        _report(7, actors, perpetrators=tuple(reversed(many)), targets=tuple(many),
                perpetrator_text=None, target_text=None),
    ]


def _noted(session) -> dict[str, str | None]:
    """The digests the writer noted, noted again for the entry to take."""
    written = {key: d for (_, key), d in changes.take_digested(session).items()}
    changes.touch(session, "report", list(written), [d or "" for d in written.values()])
    return written


def test_digests_from_the_values_written_are_those_read_back(database, syria_scenario):
    load_scenario(database, syria_scenario)
    actors = [a.code for a in syria_scenario.actors]
    assert len(actors) >= 20
    reports = _awkward(actors)
    integral = _report(8, actors, place=Place(Point(36, 35), WherePrecision.EXACT,
                                              AdminCodes(), None))
    single = _report(9, actors, perpetrators=tuple(actors[:20]), narrative="واحد 🕊️")
    with database.session(write=True) as session:
        writer = ReportWriter(session)
        writer.write([*reports, integral], [f"{i:064x}" for i in range(len(reports) + 1)])
        writer.write_one(single, "f" * 64)
        written = _noted(session)
        read = digests(session, "report", list(written))
        assert len(written) == len(reports) + 2
        assert all(written.values()), "the writer gave every digest"
        assert written == read
        ledger.append(session, ledger.mechanism(session), "reports.imported", {})
    with database.session() as session:  # as committed, in a transaction of its own
        assert digests(session, "report", list(written)) == written
        # What `ledger verify` checks of each record (their links wait for correlation).
        held = ledger_checks.records_hold(session, {"report": list(written)})
    assert (held.records, held.problem) == (len(written), None)


def test_an_edit_of_a_report_written_in_bulk_is_named(database, syria_scenario):
    load_scenario(database, syria_scenario)
    actors = [a.code for a in syria_scenario.actors]
    report = _awkward(actors)[1]
    with database.session(write=True) as session:
        ReportWriter(session).write([report], ["0" * 64])
        ledger.append(session, ledger.mechanism(session), "reports.imported", {})
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE reports SET lon = lon + 0.000001")
    checked = ledger_checks.verify(database)
    assert not checked.ok
    assert f"report {report.id} differs in the database" in str(checked.problem)
