"""Load a scenario into the database: all of it or nothing, and loading twice is a no-op."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.domain.actors import Actor
from ceasefire.domain.agreement import Agreement, AmendedBy
from ceasefire.domain.parties import Account, PartyKind
from ceasefire.errors import Conflict
from ceasefire.intake.scenario import Scenario
from ceasefire.services import ledger
from ceasefire.services.accounts import hash_token, new_token
from ceasefire.services.actors import add_aliases_in
from ceasefire.services.amendments import amend_in
from ceasefire.services.verification import assess_every_incident
from ceasefire.store import accounts, agreements, changes, parties
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


def _secretariat(scenario: Scenario) -> str | None:
    return next((p.code for p in scenario.parties if p.kind is PartyKind.SECRETARIAT), None)


def _signer(session: Session, scenario: Scenario) -> ledger.Signer:
    """Who signs what a scenario loaded again changes: its secretariat (the server on its
    behalf), or the mechanism when the scenario names none."""
    secretariat = _secretariat(scenario)
    return (ledger.acting(session, party=secretariat) if secretariat
            else ledger.mechanism(session))


def _actor(session: Session, result: LoadResult, scenario: Scenario, wanted: Actor) -> None:
    """Add the actor, or the names the file gives it that the record lacks (a signed
    change of its own). The registry may have grown since (names added, actors merged):
    what the file does not say stays; what it says otherwise is refused."""
    stored = parties.find_actor(session, code=wanted.code)
    if stored is None:
        _upsert(result, "actor", wanted.code, None, wanted,
                partial(parties.add_actor, session, actor=wanted))
        return
    held = set(stored.aliases)
    comparable = replace(stored, aliases=wanted.aliases, merged_into=None)
    _upsert(result, "actor", wanted.code, comparable, wanted, lambda: None)
    new = [a for a in wanted.aliases if a not in held]
    if new:
        add_aliases_in(session, _signer(session, scenario), wanted.code, new)
        result.count("actor name", created=True)


def _amend(session: Session, scenario: Scenario, result: LoadResult,
           new_agreements: set[str]) -> None:
    """The scenario's amendments the record does not hold yet, each as a signed amendment
    by the scenario's secretariat. Those it holds must be the scenario's first ones, as
    they are: a file that drops or changes one would rewrite history, and is refused.
    Terms the guarantors amend take the file's amendments only as first agreed: later
    ones go to the guarantors as proposals, not through the host."""
    secretariat = _secretariat(scenario)
    for agreement in scenario.agreements:
        wanted = [a for a in scenario.amendments if a.agreement == agreement.code]
        stored = agreements.amendments_of(session, code=agreement.code)
        for held, want in zip(stored, wanted, strict=False):
            if held.amendment != want:
                raise Conflict(f"amendment {held.version} of {agreement.code!r} is stored "
                               "as another change than the scenario's; the scenario would "
                               "rewrite it: add a new amendment instead",
                               field="amendments", id=agreement.code)
        if len(stored) > len(wanted):
            raise Conflict(f"{agreement.code!r} holds {len(stored)} amendments, the scenario "
                           f"lists {len(wanted)}: add the later ones to the file",
                           field="amendments", id=agreement.code)
        if (len(wanted) > len(stored) and agreement.code not in new_agreements
                and agreement.amended_by is AmendedBy.GUARANTORS):
            raise Conflict(f"{agreement.code!r} is amended by agreement of its guarantors: "
                           f"propose amendment {len(stored) + 1} of the file (`ceasefire "
                           "agreement propose`) rather than load it", field="amendments",
                           id=agreement.code)
        for amendment in wanted[len(stored):]:
            amend_in(session, _signer(session, scenario), amendment,
                     made_by=secretariat or "mechanism")
            result.count("amendment", created=True)
        result.unchanged["amendment"] = result.unchanged.get("amendment", 0) + len(stored)
        if not result.unchanged["amendment"]:
            del result.unchanged["amendment"]


def load_scenario(db: Database, scenario: Scenario) -> LoadResult:
    result = LoadResult()
    with db.session(write=True) as session:
        for party in scenario.parties:
            _upsert(result, "party", party.code, parties.find_party(session, code=party.code),
                    party, partial(parties.add_party, session, party=party))
        for actor in scenario.actors:
            _actor(session, result, scenario, actor)
        new_agreements: set[str] = set()
        for agreement in scenario.agreements:
            stored_agreement = agreements.find_as_agreed(session, code=agreement.code)
            if stored_agreement is None:
                new_agreements.add(agreement.code)
            _upsert(result, "agreement", agreement.code, stored_agreement, agreement,
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
        # A reload that writes nothing leaves no entry (new names signed their own).
        if changes.pending(session):
            ledger.append(session, ledger.mechanism(session), "scenario.loaded",
                          {"created": result.created})
        _amend(session, scenario, result, new_agreements)  # each its own signed entry, after
    return result
