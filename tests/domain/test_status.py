import pytest

from ceasefire.domain import Position, QuorumRule, Status, status_from_verdicts
from ceasefire.errors import InvalidInput
from tests.factories import make_agreement, make_verdict

C, R, A = Position.CONFIRM, Position.REJECT, Position.ABSTAIN


def status(rule, positions, **kw):
    agreement = make_agreement(quorum=rule)
    verdicts = [make_verdict(p, pos, minutes=i) for i, (p, pos) in enumerate(positions)]
    return status_from_verdicts(agreement, verdicts, **kw)


@pytest.mark.parametrize(("rule", "positions", "expected"), [
    (QuorumRule.UNANIMOUS, [], Status.PENDING),
    (QuorumRule.UNANIMOUS, [("RU", C), ("TR", C)], Status.PENDING),
    (QuorumRule.UNANIMOUS, [("RU", C), ("TR", C), ("IR", C)], Status.CONFIRMED),
    (QuorumRule.UNANIMOUS, [("RU", C), ("TR", R)], Status.DISPUTED),
    (QuorumRule.UNANIMOUS, [("RU", R), ("TR", R), ("IR", R)], Status.REJECTED),
    (QuorumRule.UNANIMOUS, [("RU", C), ("TR", C), ("IR", A)], Status.DISPUTED),
    (QuorumRule.MAJORITY, [("RU", C), ("TR", C)], Status.CONFIRMED),
    (QuorumRule.MAJORITY, [("RU", R), ("TR", R)], Status.REJECTED),
    (QuorumRule.MAJORITY, [("RU", C), ("TR", R)], Status.PENDING),
    (QuorumRule.MAJORITY, [("RU", C), ("TR", R), ("IR", A)], Status.DISPUTED),
])
def test_status_under_quorum_rules(rule, positions, expected):
    assert status(rule, positions) is expected


def test_only_the_latest_verdict_of_a_party_counts():
    positions = [("RU", R), ("TR", C), ("IR", C), ("RU", C)]
    assert status(QuorumRule.UNANIMOUS, positions) is Status.CONFIRMED
    assert status(QuorumRule.UNANIMOUS, [("RU", C), ("TR", C), ("IR", C), ("IR", R)]) \
        is Status.DISPUTED


def test_non_guarantors_do_not_count():
    assert status(QuorumRule.MAJORITY, [("UN", C), ("RU", C)]) is Status.PENDING


def test_deadline_without_quorum_is_disputed():
    assert status(QuorumRule.UNANIMOUS, [("RU", C)], deadline_passed=True) is Status.DISPUTED


def test_only_a_confirmation_attributes():
    with pytest.raises(InvalidInput) as err:
        make_verdict("RU", Position.REJECT, attributed_to="isil")
    assert err.value.field == "attributed_to"
