"""What the pages read: the status now as one SQL expression against each incident's
standing worked out in Python, before and after the response deadline; the dashboard's
counts against the bulletin's for the same period; filters and paging. Both backends."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from ceasefire.domain.agreement import Position
from ceasefire.domain.bulletin import STATUSES, Tally
from ceasefire.errors import InvalidInput
from ceasefire.services import correlation, overview
from ceasefire.services.bulletins import lines
from ceasefire.services.overview import Selection
from ceasefire.services.scenarios import add_agreement
from ceasefire.services.verification import standings
from ceasefire.store import overview as store
from ceasefire.store import overview_cells, overview_days
from ceasefire.store.reference import reference
from tests.factories import make_agreement
from tests.test_bulletin import JANUARY, _cast, _covered, record  # noqa: F401 - a fixture

AGREEMENT = "syria-2016"


@pytest.fixture
def verified(record):  # noqa: F811 - the fixture imported above
    """The bulletin's record, and one more incident only TR has answered (confirm)."""
    _cast(record, _covered(record)[2].incident, "tr-officer", Position.CONFIRM)
    return record


def _standings_now(db, now: datetime) -> dict[str, str]:
    """Every incident's status under the agreement, from its full standing."""
    with db.session() as session:
        uids = [r.uid for r in store.page(session, overview.scope(
            session, Selection(), now=now), limit=10**6)]
        return {uid: next(v.status.value for v in standings(session, uid, now=now)
                          if v.agreement == AGREEMENT) for uid in uids}


@pytest.mark.slow
@pytest.mark.parametrize("hours_later", [0, 73], ids=["before-deadline", "after-deadline"])
def test_the_status_now_is_the_standing_of_each_incident(verified, hours_later):
    now = datetime.now(UTC) + timedelta(hours=hours_later)
    expected = _standings_now(verified, now)
    statuses = Counter(expected.values())
    # Both branches of the silence rule are exercised: unanswered and partly answered.
    assert statuses["confirmed"] == 1 and statuses["not-covered"] > 0
    if hours_later:
        assert statuses["pending"] == 0 and statuses["disputed"] > 2
    else:
        assert statuses["pending"] > 0 and statuses["disputed"] == 1
    with verified.session() as session:
        listed = store.page(session, overview.scope(session, Selection(), now=now),
                            limit=10**6)
        assert {r.uid: r.status for r in listed} == expected
        for status in statuses:  # the status filter selects exactly those incidents
            chosen = store.page(session, overview.scope(
                session, Selection(statuses=(status,)), now=now), limit=10**6)
            assert {r.uid for r in chosen} == {u for u, s in expected.items() if s == status}
        # The dashboard's counts by day, by governorate and of one governorate's districts
        # (read from the incidents, not the counts by day) agree with the standings.
        assert overview.dashboard(session, Selection(), now=now).by_status == {
            s.value: statuses.get(s.value, 0) for s in STATUSES}
        board = overview.dashboard(session, Selection(statuses=("disputed",)), now=now)
        assert board.incidents == statuses["disputed"]


def test_the_dashboard_counts_what_the_bulletin_counts(verified):
    now = datetime.now(UTC)
    with verified.session() as session:
        board = overview.dashboard(session, Selection(since=date(2017, 1, 1),
                                                      until=date(2017, 2, 1)), now=now)
        tally = Tally.of(lines(session, AGREEMENT, JANUARY, now=now))
    assert board.incidents == tally.incidents > 0
    assert {k: v for k, v in board.by_status.items() if v} == tally.by_status
    assert {k or "unknown": v for k, v in board.by_governorate.rows.items()} == \
        tally.by_governorate
    assert board.by_party.rows == tally.by_party
    assert sum(board.by_day.total(d) for d in board.by_day.rows) == tally.incidents
    with verified.session() as session:  # counts by day, and the incidents one by one
        found = overview.scope(session, Selection(since=date(2017, 1, 1)), now=now)
        parties = reference(session).party_ids
        cells = store.tallies(session, found, parties)
        direct = ([store.Count(c.day, c.status, c.incidents) for c in cells],
                  [store.Count(c.adm1, c.status, c.incidents) for c in cells],
                  [store.Count(p, c.status, n) for c in cells for p, n in c.by_party.items()])
        assert [overview.Counts.of(x).rows for x in overview._from_days(session, found, parties)] \
            == [overview.Counts.of(x).rows for x in direct]
    assert all(date(2017, 1, 1) <= d < date(2017, 2, 1) for d in board.by_day.rows)


def test_filters_narrow_and_pages_cover_every_incident_once(verified):
    now = datetime.now(UTC)
    with verified.session() as session:
        everything = store.page(session, overview.scope(session, Selection(), now=now),
                                limit=10**6)
        seen, after = [], None
        while batch := store.page(session, overview.scope(session, Selection(), now=now),
                                  limit=97, after=after):
            seen += batch
            after = (batch[-1].earliest, batch[-1].uid)
        assert seen == everything
        assert [(r.earliest, r.uid) for r in seen] == sorted(
            ((r.earliest, r.uid) for r in seen), reverse=True)
        aleppo = store.page(session, overview.scope(session, Selection(adm="SY02"), now=now),
                            limit=10**6)
        assert aleppo and {r.uid for r in aleppo} == {r.uid for r in everything
                                                      if r.adm1 == "SY02"}
        by_tr = store.page(session, overview.scope(session, Selection(party="TR"), now=now),
                           limit=10**6)
        assert [r.violation for r in by_tr] == ["shelling"]  # the one TR reported


@pytest.mark.parametrize(("selection", "field"), [
    (Selection(party="XX"), "party"), (Selection(violation="looting"), "violation"),
    (Selection(statuses=("maybe",)), "status"), (Selection(agreement="none"), "agreement"),
    (Selection(since=date(2017, 2, 1), until=date(2017, 1, 1)), "to")])
def test_a_selection_the_record_does_not_know_is_refused_by_name(verified, selection, field):
    with verified.session() as session, pytest.raises(InvalidInput) as refused:
        overview.scope(session, selection, now=datetime.now(UTC))
    assert refused.value.field == field


def _same_as_rebuilt(db) -> list:
    """The overview and its counts by day and by map cell, as kept, equal to all three
    built afresh."""
    with db.session() as session:
        kept = store.rows(session), overview_days.rows(session), overview_cells.rows(session)
    with db.session(write=True) as session:
        store.rebuild(session)
        assert (store.rows(session), overview_days.rows(session),
                overview_cells.rows(session)) == kept
    return kept[0]


@pytest.mark.slow
def test_the_overview_follows_every_change_to_the_record(verified):
    """The table the pages read is the record's mirror after imports, reports, verdicts,
    merges, splits and a new agreement: equal, row for row, to one built afresh."""
    rows = _same_as_rebuilt(verified)
    assert len(rows) == len({r[2] for r in rows}) > 3000  # one agreement: a row each
    first, second = [r[2] for r in rows if r[5] == "SY02"][:2]
    merged = correlation.merge(verified, [first, second], reason="one event", party="SEC")
    rows = _same_as_rebuilt(verified)
    assert merged in {r[2] for r in rows} and {first, second} - {merged} - {r[2] for r in rows}
    reports = correlation.explain(verified, merged).reports
    correlation.split(verified, merged, reports[1:], reason="two events after all",
                      party="SEC")
    _same_as_rebuilt(verified)
    add_agreement(verified, make_agreement(code="aleppo-truce", guarantors=("TR", "IR")))
    rows = _same_as_rebuilt(verified)
    assert {r[0] for r in rows} == {1, 2}  # every incident under both agreements
