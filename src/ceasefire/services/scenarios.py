"""Load a scenario into the database: all of it or nothing, and loading twice is a no-op."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import partial
from typing import Any

from ceasefire.domain.agreement import Agreement
from ceasefire.domain.parties import Account
from ceasefire.errors import Conflict
from ceasefire.intake.scenario import Scenario
from ceasefire.services import ledger
from ceasefire.services.accounts import hash_token, new_token
from ceasefire.services.verification import assess_every_incident
from ceasefire.store import accounts, agreements, parties
from ceasefire.store.db import Database


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # username -> new token, shown once

    def count(self, kind: str, *, created: bool) -> None:
        bucket = self.created if created else self.unchanged
        bucket[kind] = bucket.get(kind, 0) + 1


def _differences(stored: Any, wanted: Any) -> list[str]:
    return [f.name for f in fields(stored) if getattr(stored, f.name) != getattr(wanted, f.name)]


def _upsert(result: LoadResult, kind: str, key: str, stored: Any, wanted: Any,
            add: Callable[[], None]) -> None:
    """Add what is missing; leave what is equal; refuse to overwrite what differs."""
    if stored is None:
        add()
        result.count(kind, created=True)
        return
    changed = _differences(stored, wanted)
    if changed:
        raise Conflict(f"{kind} {key!r} is already stored with a different "
                       f"{', '.join(changed)}; the scenario would rewrite it", id=key,
                       field=f"{kind}.{changed[0]}")
    result.count(kind, created=False)


def add_agreement(db: Database, agreement: Agreement) -> int:
    """Add an agreement (its guarantors and actors already stored) and assess every
    incident under it; returns the incidents assessed. One ledger entry says both."""
    with db.session(write=True) as session:
        agreements.add_agreement(session, agreement=agreement)
        count = assess_every_incident(session, now=datetime.now(UTC))
        ledger.append(session, ledger.mechanism(session), "agreement.added",
                      {"agreement": agreement.code, "assessed": count})
    return count


def load_scenario(db: Database, scenario: Scenario) -> LoadResult:
    result = LoadResult()
    with db.session(write=True) as session:
        for party in scenario.parties:
            _upsert(result, "party", party.code, parties.find_party(session, code=party.code),
                    party, partial(parties.add_party, session, party=party))
        for actor in scenario.actors:
            _upsert(result, "actor", actor.code, parties.find_actor(session, code=actor.code),
                    actor, partial(parties.add_actor, session, actor=actor))
        for agreement in scenario.agreements:
            _upsert(result, "agreement", agreement.code,
                    agreements.find_agreement(session, code=agreement.code), agreement,
                    partial(agreements.add_agreement, session, agreement=agreement))
        now = datetime.now(UTC)
        for demo in scenario.accounts:
            stored = accounts.find_account(session, username=demo.username)
            wanted = Account(demo.username, demo.party, demo.role,
                             created_at=stored.created_at if stored else now,
                             active=stored.active if stored else True)

            def add(account: Account = wanted) -> None:
                accounts.add_account(session, account=account)
                token = new_token()
                accounts.add_token(session, username=account.username,
                                   token_hash=hash_token(token), created_at=now)
                result.tokens[account.username] = token

            _upsert(result, "account", demo.username, stored, wanted, add)
        if result.created:  # a reload that changes nothing leaves no entry
            ledger.append(session, ledger.mechanism(session), "scenario.loaded",
                          {"created": result.created})
    return result
