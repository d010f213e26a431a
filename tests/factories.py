"""Test data builders: each returns a valid object; pass overrides for the field under test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ceasefire.domain import (
    Account,
    Agreement,
    Area,
    Party,
    PartyKind,
    Period,
    Position,
    QuorumRule,
    Verdict,
    ViolationType,
)


def make_agreement(**overrides: Any) -> Agreement:
    values: dict[str, Any] = dict(
        code="test-ceasefire",
        title="Test ceasefire",
        period=Period(datetime(2017, 1, 1, tzinfo=UTC)),
        area=Area(pcodes=frozenset({"SY02"})),
        prohibited=frozenset({ViolationType.SHELLING, ViolationType.AIR_STRIKE}),
        guarantors=("RU", "TR", "IR"),
        quorum=QuorumRule.UNANIMOUS,
        response_deadline=timedelta(hours=72),
    )
    values.update(overrides)
    return Agreement(**values)


def make_verdict(party: str, position: Position, *, minutes: int = 0, **overrides: Any) -> Verdict:
    values: dict[str, Any] = dict(
        incident="inc-1", party=party, position=position,
        cast_at=datetime(2017, 1, 5, 12, tzinfo=UTC) + timedelta(minutes=minutes))
    values.update(overrides)
    return Verdict(**values)


PASSWORD = "olive branch at dawn"


def add_login(database, *, username: str = "tr-officer", password: str = PASSWORD,
              party: str = "TR") -> tuple[Account, str]:
    """A guarantor officer (and its party, if new) with a web password; returns the
    account and its API token."""
    from ceasefire.services import ledger
    from ceasefire.services.accounts import create_account
    from ceasefire.services.logins import set_password
    from ceasefire.store.parties import add_party, find_party

    with database.session(write=True) as session:
        if find_party(session, code=party) is None:
            add_party(session, party=Party(code=party, name=f"Party {party}",
                                           kind=PartyKind.GUARANTOR))
            ledger.append(session, ledger.mechanism(session), "party.added", {"party": party})
    account, token = create_account(database, party=party, role="guarantor", username=username)
    set_password(database, username=username, password=password)
    return account, token
