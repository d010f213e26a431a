"""The status rule is written twice: in the domain (`status_from_verdicts`, over an
agreement's quorum rule and silence, the verdicts and the clock) and in SQL over stored
columns (store/overview.py `status_now`, read from the assessments by bulletins and from
the overview by the pages; its status filter; the counts by day of overview_days). Here
hypothesis holds each SQL reading to the domain's over generated terms, verdict histories
and clocks, on both backends.

One covered incident is stored once; each example writes its assessment's columns and its
verdicts as the services store them (the status as of the last write, the standing then),
reads its status now every way the pages and bulletins do, and is rolled back.
Derandomised, so every run tries the same examples.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from ceasefire.domain import Position, QuorumRule, Status, Verdict, status_from_verdicts
from ceasefire.domain.bulletin import STATUSES
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import overview
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import bulletins
from ceasefire.store import overview as store
from ceasefire.store.reference import reference
from ceasefire.store.tables import AssessmentRow, VerdictRow
from tests.factories import make_agreement

AGREEMENT = "syria-2016"
OPENED = datetime(2017, 1, 15, 12, tzinfo=UTC)
GUARANTORS = ("RU", "TR", "IR")
SHELLING = {"when": {"earliest": "2017-01-15T10:00:00Z"},
            "place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling",
            "perpetrators": ["syrian-government"], "targets": ["syrian-opposition"],
            "narrative": "Shelling of the eastern districts."}


@pytest.fixture
def incident(database, syria_scenario):
    """One incident the agreement covers: (database, its id, its assessment's id)."""
    load_scenario(database, syria_scenario)
    uid = submit_report(database, ReportIn.model_validate(SHELLING), party="RU").incident
    with database.session() as session:
        assessment = session.scalar(select(AssessmentRow.id).where(
            AssessmentRow.incident_uid == uid,
            AssessmentRow.agreement_id == reference(session).agreement_ids[AGREEMENT]))
    return database, uid, assessment


@st.composite
def cases(draw):
    """Terms, a covered flag, when the incident was opened, its verdicts in the order cast
    (times never go back, as `cast_verdict` keeps them), the last write and the clock:
    mostly covered, and read before, at and after the response deadline."""
    guarantors = draw(st.lists(st.sampled_from(GUARANTORS), min_size=1, max_size=3,
                               unique=True))
    deadline = timedelta(hours=draw(st.integers(1, 96)))
    terms = make_agreement(guarantors=tuple(guarantors), response_deadline=deadline,
                           quorum=draw(st.sampled_from(list(QuorumRule))),
                           silence=draw(st.sampled_from(list(Position))))
    covered = draw(st.sampled_from([True, True, True, False]))
    gap = st.one_of(st.integers(0, 120), st.integers(0, 3000))  # minutes
    cast, at = [], OPENED
    for party, position, later in draw(st.lists(st.tuples(
            st.sampled_from(guarantors), st.sampled_from(list(Position)), gap), max_size=6)):
        at += timedelta(minutes=later)
        cast.append(Verdict("incident", party, position, at))
    opened = OPENED if covered or cast or draw(st.booleans()) else None
    # The status is stored at the last write: a verdict, or an assessment after it.
    written = at + timedelta(minutes=draw(gap))
    # Read then or later: before the deadline, at it, or after it.
    at_deadline = OPENED + deadline + timedelta(minutes=draw(st.sampled_from([-1, 0, 1])))
    now = max(written, draw(st.sampled_from([written, at_deadline, OPENED + 2 * deadline])))
    return terms, covered, opened, cast, written, now


def _case(*, cast=(), minutes: int, covered=True, silence=Position.ABSTAIN,
          quorum=QuorumRule.UNANIMOUS):
    """An example by hand: verdicts (party, position) an hour apart from the opening,
    stored then, read `minutes` after the opening; the deadline is 72 hours."""
    terms = make_agreement(guarantors=GUARANTORS, quorum=quorum, silence=silence)
    verdicts = [Verdict("incident", party, position, OPENED + timedelta(hours=n))
                for n, (party, position) in enumerate(cast, 1)]
    written = OPENED + timedelta(hours=len(cast))
    return terms, covered, OPENED, verdicts, written, OPENED + timedelta(minutes=minutes)


DEADLINE = 72 * 60  # minutes
C, R = Position.CONFIRM, Position.REJECT


def _expected(terms, covered, opened, cast, now) -> str:
    if not covered:
        return Status.NOT_COVERED.value
    passed = now >= opened + terms.response_deadline
    return status_from_verdicts(terms, cast, deadline_passed=passed).value


def _stored_status(terms, covered, opened, cast, written) -> str:
    """What the services store (verification: the standing at the write)."""
    return _expected(terms, covered, opened or written, cast, written)


@settings(max_examples=80, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
# The branches of the rule, whatever hypothesis draws: answered and overdue (looked up
# one by one), unanswered and overdue (the silence rule in SQL), at the deadline to the
# minute and just before it, decided before it, and not covered though answered.
@example(case=_case(cast=[("RU", C)], minutes=2 * DEADLINE))
@example(case=_case(cast=[("RU", C), ("TR", R)], minutes=2 * DEADLINE, silence=R,
                    quorum=QuorumRule.MAJORITY))
@example(case=_case(minutes=DEADLINE, silence=C, quorum=QuorumRule.MAJORITY))
@example(case=_case(minutes=DEADLINE - 1, silence=C))
@example(case=_case(cast=[("RU", R), ("TR", R)], minutes=180, quorum=QuorumRule.MAJORITY))
@example(case=_case(cast=[("RU", C)], minutes=2 * DEADLINE, covered=False))
def test_the_status_now_in_sql_is_the_domain_status(incident, case):
    database, uid, assessment_id = incident
    terms, covered, opened, cast, written, now = case
    expected = _expected(terms, covered, opened, cast, now)
    with database.session(write=True) as session:
        example = session.begin_nested()
        known = reference(session)
        agreement_id = known.agreement_ids[AGREEMENT]
        session.execute(delete(VerdictRow).where(VerdictRow.assessment_id == assessment_id))
        session.execute(update(AssessmentRow).where(AssessmentRow.id == assessment_id).values(
            covered=covered, opened_at=opened, version=len(cast), updated_at=written,
            status=_stored_status(terms, covered, opened, cast, written)))
        if cast:
            session.execute(insert(VerdictRow), [
                {"assessment_id": assessment_id, "version": n, "position": v.position.value,
                 "party_id": known.party_ids[v.party], "account_id": None,
                 "attributed_to_id": None, "comment": "", "cast_at": v.cast_at}
                for n, v in enumerate(cast, 1)])
        store.refresh(session, [uid])

        lapsed = overview.lapsed(session, terms, agreement_id, now=now)
        day = (OPENED - timedelta(days=1), OPENED + timedelta(days=1))
        # From the assessments, as a bulletin counts...
        assert bulletins.statuses(session, agreement_id, lapsed, *day)[uid][0] == expected
        # ...from the overview, as the pages list...
        scope = store.Scope(agreement_id, lapsed)
        assert [r.status for r in store.page(session, scope, limit=5)] == [expected]
        # ...filtered by status...
        for status in STATUSES:
            chosen = store.page(session, store.Scope(agreement_id, lapsed,
                                                     statuses=(status.value,)), limit=5)
            assert [r.uid for r in chosen] == ([uid] if status.value == expected else [])
        # ...and counted by day, the overdue ones some guarantor answered looked up.
        by_day, _, _ = overview._from_days(session, scope, known.party_ids)
        assert {c.status: c.incidents for c in by_day} == {expected: 1}
        example.rollback()


def test_the_examples_reach_every_status():
    """The strategy is not vacuous: the domain gives every status over its examples."""
    seen = set()

    @settings(max_examples=120, derandomize=True, deadline=None, database=None)
    @given(case=cases())
    def collect(case):
        terms, covered, opened, cast, _, now = case
        seen.add(_expected(terms, covered, opened, cast, now))

    collect()
    assert seen == {s.value for s in Status}

