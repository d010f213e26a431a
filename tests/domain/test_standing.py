"""Where an incident stands with the guarantors: quorum rules, the deadline, silence, and
a status that is a pure function of the verdicts, the rule and the clock."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.domain import Position, QuorumRule, Status, standing, status_from_verdicts
from tests.factories import make_agreement, make_verdict

C, R, A = Position.CONFIRM, Position.REJECT, Position.ABSTAIN
OPENED = datetime(2017, 1, 5, 12, tzinfo=UTC)  # when the incident was put to the guarantors
BEFORE, AFTER = OPENED + timedelta(hours=71), OPENED + timedelta(hours=72)  # deadline: 72 h


def verdicts(positions):
    return [make_verdict(p, pos, minutes=i) for i, (p, pos) in enumerate(positions)]


@pytest.mark.parametrize(("rule", "silence", "positions", "now", "expected"), [
    # Before the deadline, missing answers keep it pending.
    (QuorumRule.UNANIMOUS, A, [("RU", C), ("TR", C)], BEFORE, Status.PENDING),
    (QuorumRule.MAJORITY, A, [("RU", C)], BEFORE, Status.PENDING),
    # After it, silence counts as the agreement says: abstaining blocks unanimity...
    (QuorumRule.UNANIMOUS, A, [("RU", C), ("TR", C)], AFTER, Status.DISPUTED),
    # ...confirming completes it...
    (QuorumRule.UNANIMOUS, C, [("RU", C), ("TR", C)], AFTER, Status.CONFIRMED),
    # ...and rejecting can reject.
    (QuorumRule.MAJORITY, R, [("RU", R)], AFTER, Status.REJECTED),
    (QuorumRule.MAJORITY, A, [("RU", C), ("TR", C)], AFTER, Status.CONFIRMED),
    (QuorumRule.MAJORITY, A, [("RU", C)], AFTER, Status.DISPUTED),
    (QuorumRule.MAJORITY, A, [], AFTER, Status.DISPUTED),
    # A decided status does not wait for the deadline.
    (QuorumRule.UNANIMOUS, A, [("RU", C), ("TR", R)], BEFORE, Status.DISPUTED),
    (QuorumRule.MAJORITY, A, [("RU", R), ("IR", R)], BEFORE, Status.REJECTED),
])
def test_deadline_expiry(rule, silence, positions, now, expected):
    agreement = make_agreement(quorum=rule, silence=silence)
    result = standing(agreement, verdicts(positions), opened_at=OPENED, now=now)
    assert result.status is expected
    assert result.deadline == OPENED + timedelta(hours=72)
    assert result.deadline_passed is (now >= result.deadline)


def test_the_standing_names_who_has_not_answered_and_each_sides_position():
    agreement = make_agreement()
    result = standing(agreement, verdicts([("RU", C), ("TR", R), ("RU", C), ("UN", C)]),
                      opened_at=OPENED, now=BEFORE)
    assert result.status is Status.DISPUTED
    assert result.missing == ("IR",)
    assert result.verdicts["IR"] is None and result.verdicts["RU"].position is C
    assert "UN" not in result.verdicts  # not a guarantor
    assert result.disputed_positions == {C: ("RU",), R: ("TR",)}


def test_an_incident_outside_the_regime_is_not_put_to_the_guarantors():
    result = standing(make_agreement(), verdicts([("RU", C), ("TR", C), ("IR", C)]),
                      opened_at=OPENED, now=AFTER, covered=False)
    assert result.status is Status.NOT_COVERED


# --- properties -------------------------------------------------------------------------

PARTIES = ("RU", "TR", "IR", "UN")
history = st.lists(st.tuples(st.sampled_from(PARTIES), st.sampled_from(list(Position)),
                             st.integers(0, 200)), max_size=12)


def _cast(entries):
    """Verdicts from (party, position, minutes after opening); a party's own verdicts get
    increasing times in the order given, so each party has one history."""
    last: dict[str, int] = {}
    out = []
    for party, position, minutes in entries:
        minutes = max(minutes, last.get(party, -1) + 1)
        last[party] = minutes
        out.append(make_verdict(party, position, cast_at=OPENED + timedelta(minutes=minutes)))
    return out


@settings(max_examples=300, deadline=None)
@given(entries=history, rule=st.sampled_from(list(QuorumRule)),
       silence=st.sampled_from(list(Position)), hours=st.integers(0, 100), data=st.data())
def test_status_is_a_pure_function_of_verdicts_rule_and_clock_in_any_interleaving(
        entries, rule, silence, hours, data):
    agreement = make_agreement(quorum=rule, silence=silence)
    cast = _cast(entries)
    now = OPENED + timedelta(hours=hours)
    expected = standing(agreement, cast, opened_at=OPENED, now=now)
    # Replaying the same verdicts in any order (any interleaving of the parties'
    # histories) gives the same standing...
    replay = data.draw(st.permutations(cast))
    again = standing(agreement, replay, opened_at=OPENED, now=now)
    assert again == expected
    # ...which depends only on each guarantor's latest verdict and the clock.
    latest = [v for v in expected.verdicts.values() if v is not None]
    assert status_from_verdicts(agreement, latest, deadline_passed=expected.deadline_passed) \
        is expected.status


@settings(max_examples=200, deadline=None)
@given(entries=history, rule=st.sampled_from(list(QuorumRule)))
def test_once_decided_more_time_changes_nothing(entries, rule):
    """Confirmed and rejected hold whatever the clock says; pending only before the
    deadline, never after it."""
    agreement = make_agreement(quorum=rule)
    cast = _cast(entries)
    early = standing(agreement, cast, opened_at=OPENED, now=BEFORE).status
    late = standing(agreement, cast, opened_at=OPENED, now=AFTER).status
    assert late is not Status.PENDING
    if early in (Status.CONFIRMED, Status.REJECTED):
        assert late is early
