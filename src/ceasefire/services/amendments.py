"""Amending an agreement: the secretariat changes its terms from a date, in one signed
ledger entry that also reassesses exactly the incidents the change can reach.

The agreement's own rows stay as first agreed and each amendment is a row of its own
(store/agreements.py applies them in order), so `ledger verify` holds every amendment
against the entry that signed it, and an incident from before a change keeps the
finding of the terms that judged it (its assessment names their version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ceasefire.domain import words
from ceasefire.domain.agreement import Agreement, AmendedBy, Zone
from ceasefire.domain.amendment import Amendment, terms_of
from ceasefire.domain.parties import Account, Role
from ceasefire.errors import Forbidden, InvalidInput, NotFound
from ceasefire.geo.admin import syria
from ceasefire.services import ledger
from ceasefire.services.accounts import authenticate_in
from ceasefire.services.verification import assess_incidents, incident_facts
from ceasefire.store import agreements, proposals
from ceasefire.store import incidents as incidents_store
from ceasefire.store.accounts import find_account
from ceasefire.store.agreements import StoredAmendment
from ceasefire.store.db import Database
from ceasefire.store.reference import reference
from ceasefire.store.rows import required

ACTION = "agreement.amended"


@dataclass(frozen=True)
class Amended:
    agreement: str
    version: int  # the terms' version the amendment made
    reassessed: int  # incidents it reached and assessed again
    amendment: int  # its row


def amend_in(session: Session, signer: ledger.Signer, amendment: Amendment, *,
             made_by: str, now: datetime | None = None,
             proposal: int | None = None) -> Amended:
    """Apply one amendment inside the caller's transaction: checked by the domain against
    the terms as they stand, stored, the incidents it reaches assessed again, and one
    entry signed by `signer` saying so (and, when the guarantors adopted it, which
    proposal it was)."""
    now = now or datetime.now(UTC)
    current, amended = check_amendment(session, amendment)
    reach = amendment.reach(current)
    row_id = agreements.add_amendment(session, amendment=amendment, version=amended.version,
                                      made_by=made_by, made_at=now)
    if proposal is not None:
        proposals.adopted(session, proposal, amendment=row_id)
    count = _reassess(session, reach.since,
                      None if reach.area is None or reach.area.polygons
                      else sorted(reach.area.pcodes),
                      None if reach.actors is None else sorted(reach.actors), now=now)
    ledger.append(session, signer, ACTION, {
        "agreement": amendment.agreement, "version": amended.version, "amendment": row_id,
        "change": amendment.change.value, "effective": amendment.effective.isoformat(),
        "terms": terms_of(amendment), "reassessed": count,
        **({} if proposal is None else {"proposal": proposal})})
    return Amended(amendment.agreement, amended.version, count, row_id)


def check_amendment(session: Session, amendment: Amendment) -> tuple[Agreement, Agreement]:
    """The agreement as it stands and as the amendment would leave it, once the amendment
    is known to name only stored actors and real P-codes and to agree with its terms (each
    refusal names the field)."""
    current = agreements.get_agreement(session, code=amendment.agreement)
    if amendment.actor is not None and amendment.actor not in reference(session).actor_ids:
        raise NotFound(f"no actor with code {amendment.actor!r} (`ceasefire actor list`)",
                       field="actor", id=amendment.actor)
    if isinstance(amendment.zone, Zone):
        for code in sorted(amendment.zone.area.pcodes):
            if code not in syria():
                raise InvalidInput(f"unknown P-code {code!r}", field="area", id=code)
    return current, amendment.apply(current)  # refuses contradictions by name


def _reassess(session: Session, since: datetime, pcodes: Sequence[str] | None,
              actors: Sequence[str] | None, *, now: datetime) -> int:
    found = incidents_store.reached(session, since=since, pcodes=pcodes, actors=actors)
    if not found:
        return 0
    members = incidents_store.member_ids(session, [f.id for f in found])
    facts = {f.row_id: f for f in incidents_store.facts(
        session, [r for ids in members.values() for r in ids])}
    assess_incidents(session, {
        f.summary.uid: incident_facts([facts[r] for r in members[f.id]], f.summary)
        for f in found}, now=now)
    return len(found)


def account_of(session: Session, *, token: str | None, username: str | None) -> Account:
    """Who acts: an account by its API token (the API) or its username (the command line,
    run by the host that keeps the record)."""
    if token is not None:
        return authenticate_in(session, token=token)
    if username is not None:
        return required(find_account(session, username=username),
                        f"no account {username!r}", field="account", key=username)
    raise Forbidden("say which account acts", field="account")


def amend(db: Database, amendment: Amendment, *, token: str | None = None,
          username: str | None = None) -> Amended:
    """Amend the terms as the secretariat, where the agreement lets it."""
    with db.session(write=True) as session:
        account = account_of(session, token=token, username=username)
        if account.role is not Role.SECRETARIAT or not account.active:
            raise Forbidden(f"{words.an_account(account.role)} cannot amend an agreement; "
                            "the secretariat does", field="account", id=account.username)
        current = agreements.get_agreement(session, code=amendment.agreement)
        if current.amended_by is AmendedBy.GUARANTORS:
            raise Forbidden(f"{current.code!r} is amended by agreement of its guarantors "
                            f"({', '.join(current.guarantors)}): propose the change, and it "
                            "takes effect once each has consented", field="account",
                            id=account.username)
        return amend_in(session, ledger.acting_as(session, account), amendment,
                        made_by=account.party)


def history(db: Database, code: str) -> tuple[Agreement, list[StoredAmendment]]:
    """The agreement as it stands, and every amendment that made it so, oldest first."""
    with db.session() as session:
        return (agreements.get_agreement(session, code=code),
                agreements.amendments_of(session, code=code))
