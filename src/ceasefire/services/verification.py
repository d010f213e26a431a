"""Joint verification: incidents assessed under the agreements, and the guarantors' verdicts.

Correlation calls `assess_incidents` whenever it changes incidents, so every incident's
assessment follows its reports. A guarantor officer casts its party's verdict against
the version of the standing it saw; if another verdict came first, nothing is written and
the officer gets the current standing (409) to decide again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.domain import words
from ceasefire.domain.agreement import Agreement, Position
from ceasefire.domain.assessment import IncidentFacts, assess
from ceasefire.domain.parties import Account, Role
from ceasefire.domain.place import AdminCodes, WherePrecision
from ceasefire.domain.status import Status, standing
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.verdict import Verdict
from ceasefire.domain.when import TimePrecision, When
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.geo.admin import syria
from ceasefire.services import ledger
from ceasefire.services.accounts import authenticate_in
from ceasefire.store import changes
from ceasefire.store import verification as store
from ceasefire.store.accounts import find_account
from ceasefire.store.db import Database
from ceasefire.store.incidents import (
    ReportFacts,
    Summary,
    all_facts,
    all_summaries,
    incident_uids,
)
from ceasefire.store.reference import reference


def incident_facts(members: Sequence[ReportFacts], summary: Summary) -> IncidentFacts:
    """What the rules read of an incident, from its reports and its summary.

    When: the span every report allows; if they share none, the most precise report's.
    Where and what: the incident's own, as its summary shows them (the most precise place,
    the type most reports give); a place located only to the country may lie in any of its
    governorates. Who: the actors that most of the reports naming anyone name, so that one
    report's blame alone cannot take an incident out of the regime.
    """
    earliest, latest = max(r.earliest for r in members), min(r.latest for r in members)
    if earliest > latest:
        sharpest = min(members, key=lambda r: (r.latest - r.earliest, r.uid))
        earliest, latest = sharpest.earliest, sharpest.latest
    admin = AdminCodes(summary.adm1, summary.adm2, summary.adm3) if summary.adm1 else None
    country_only = admin is None and summary.where_precision >= WherePrecision.COUNTRY
    return IncidentFacts(When(earliest, latest, TimePrecision.EXACT if earliest == latest
                              else TimePrecision.DAY),
                         admin, ViolationType(summary.violation),
                         _agreed(r.perpetrators for r in members),
                         _agreed(r.targets for r in members),
                         country=_governorates() if country_only else frozenset())


@cache
def _governorates() -> frozenset[str]:
    return frozenset(a.pcode for a in syria().level(1))


def _agreed(named: Iterable[Sequence[str]]) -> tuple[str, ...]:
    lists = [set(n) for n in named if n]
    counts = Counter(a for n in lists for a in n)
    return tuple(sorted(a for a, c in counts.items() if 2 * c > len(lists)))


def assess_incidents(session: Session, facts: Mapping[str, IncidentFacts], *,
                     now: datetime) -> None:
    """Assess these incidents (incident id → facts) under every agreement and record the
    findings; verdicts already cast stay, and the status follows."""
    if not facts:
        return
    known = reference(session)
    agreements, ids = known.agreements, known.agreement_ids
    stored = store.assessments_for(session, list(facts))
    findings = []
    for uid, f in facts.items():
        for agreement in agreements:
            finding = assess(agreement, f)
            row = stored.get((uid, ids[agreement.code]))
            cast = _verdicts(uid, store.verdicts(session, row.id)) if row and row.version \
                else []
            opened = row.opened_at if row and row.opened_at else now
            status = standing(agreement, cast, opened_at=opened, now=now,
                              covered=finding.covered).status
            findings.append(store.Finding(
                row, incident_uid=uid, agreement_id=ids[agreement.code],
                covered=finding.covered, terms=finding.terms,
                checks=[{"rule": c.rule.value, "passed": c.passed, "reason": c.reason}
                        for c in finding.checks],
                status=status.value, terms_version=agreement.version))
    store.save_assessments(session, findings, now=now)


def _verdicts(uid: str, stored: Sequence[store.StoredVerdict]) -> list[Verdict]:
    return [Verdict(uid, v.party, Position(v.position), v.cast_at, v.attributed_to,
                    v.comment) for v in stored]


@dataclass(frozen=True)
class StandingView:
    """An incident under one agreement: the finding, the verdicts, where it stands."""

    incident: str
    agreement: str
    covered: bool
    terms: str
    checks: list[dict]
    status: Status
    version: int
    opened_at: datetime | None
    deadline: datetime | None
    deadline_passed: bool
    missing: tuple[str, ...]  # guarantors that have not answered
    latest: dict[str, store.StoredVerdict | None]  # each guarantor's standing verdict
    history: list[store.StoredVerdict]  # every verdict, in the order cast
    terms_version: int = 0  # the version of the agreement's terms that judged it

    @property
    def sides(self) -> dict[str, list[str]]:
        """The guarantors by position: a disputed incident's sides, side by side."""
        out: dict[str, list[str]] = {}
        for party, v in self.latest.items():
            if v is not None:
                out.setdefault(v.position, []).append(party)
        return out


def _view(session: Session, agreement: Agreement, row: store.Assessed,
          now: datetime) -> StandingView:
    history = store.verdicts(session, row.id)
    cast = _verdicts(row.incident_uid, history)
    opened = row.opened_at or now
    result = standing(agreement, cast, opened_at=opened, now=now, covered=row.covered)
    by_party = {v.party: v for v in history if v.party in agreement.guarantors}
    return StandingView(
        row.incident_uid, agreement.code, row.covered, row.terms, list(row.checks),
        result.status, row.version, row.opened_at,
        result.deadline if row.covered else None, result.deadline_passed and row.covered,
        result.missing if row.covered else (),
        {p: by_party.get(p) for p in agreement.guarantors}, history, row.terms_version)


def standings(session: Session, uid: str, *, now: datetime) -> list[StandingView]:
    """The incident under each agreement that has assessed it."""
    known = reference(session)
    agreements = {a.code: a for a in known.agreements}
    codes = {i: c for c, i in known.agreement_ids.items()}
    rows = store.assessments_of(session, uid)
    if not rows:
        raise NotFound(f"no assessed incident with id {uid!r}", field="id", id=uid)
    return [_view(session, agreements[codes[r.agreement_id]], r, now) for r in rows]


def _agreement_for(session: Session, uid: str, code: str | None,
                   ) -> tuple[Agreement, store.Assessed]:
    known = reference(session)
    agreements, ids = {a.code: a for a in known.agreements}, known.agreement_ids
    if code is None:
        rows = store.assessments_of(session, uid)
        if not rows:
            raise NotFound(f"no assessed incident with id {uid!r}", field="id", id=uid)
        covered = [r for r in rows if r.covered]
        if len(covered) > 1 or (not covered and len(rows) > 1):
            raise InvalidInput("several agreements assess this incident: name one",
                               field="agreement")
        row = covered[0] if covered else rows[0]
        code = {i: c for c, i in ids.items()}[row.agreement_id]
    elif code not in agreements:
        raise NotFound(f"no agreement with code {code!r}", field="agreement", id=code)
    else:
        found = store.assessment(session, uid, ids[code])
        if found is None:
            raise NotFound(f"incident {uid} has no assessment under {code}", field="id",
                           id=uid)
        row = found
    return agreements[code], row


class StaleVerdict(Conflict):
    """Another verdict moved the standing on since the officer saw it."""

    def __init__(self, message: str, current: StandingView) -> None:
        super().__init__(message, field="version", id=current.incident)
        self.current = current


def cast_verdict(session: Session, account: Account, uid: str, *, position: Position,
                 seen_version: int, attributed_to: str | None = None, comment: str = "",
                 agreement: str | None = None, now: datetime | None = None) -> StandingView:
    """Cast the account's party's verdict on an incident. Only a guarantor officer of a
    guarantor party of the agreement may; only on an incident the agreement covers; and
    only against the version of the standing the officer saw."""
    now = now or datetime.now(UTC)
    if account.role is not Role.GUARANTOR:
        raise Forbidden(f"{words.an_account(account.role)} cannot cast verdicts")
    terms, row = _agreement_for(session, uid, agreement)
    if account.party not in terms.guarantors:
        raise Forbidden(f"party {account.party} is not a guarantor of {terms.code}")
    if not row.covered:
        raise Conflict(f"incident {uid} is not covered by {terms.code}: no verdict is asked "
                       "for", field="id", id=uid)
    known = reference(session)
    attributed_id = None
    if attributed_to is not None:
        # A name or alias, as reports take them ("Syrian Arab Army"), or the code.
        try:
            attributed_to = known.actors.resolve(attributed_to)
        except InvalidInput as exc:
            raise NotFound(exc.message, field="attributed_to", id=attributed_to) from None
        attributed_id = known.actor_ids[attributed_to]
    before = _verdicts(uid, store.verdicts(session, row.id))
    # The history is complete up to the version seen; a verdict written on top of it is
    # never dated before the last one, so time order and version order agree.
    if before:
        now = max(now, before[-1].cast_at)
    new = Verdict(uid, account.party, position, now, attributed_to, comment)
    cast = [*before, new]
    status = standing(terms, cast, opened_at=row.opened_at or now, now=now).status
    written = row.version == seen_version and store.add_verdict(
        session, assessment_id=row.id, seen_version=seen_version,
        party_id=known.party_ids[account.party], account_id=known.account_ids[account.username],
        position=position.value, attributed_to_id=attributed_id, comment=comment,
        status=status.value, now=now)
    row = store.assessment_by_id(session, row.id)  # as the write left it, or another
    if not written:
        if seen_version > row.version:  # no one read a version not yet written
            said = (f"the standing is at version {row.version}; there is no version "
                    f"{seen_version} yet: read it and decide again")
        else:
            said = (f"the standing changed since you read it (version {seen_version}, now "
                    f"{row.version}): read it and decide again")
        raise StaleVerdict(said, _view(session, terms, row, now))
    ledger.append(session, ledger.acting_as(session, account), "verdict.cast", {
        "incident": uid, "agreement": terms.code, "version": row.version,
        "position": position.value, "attributed_to": attributed_to, "comment": comment})
    return _view(session, terms, row, now)


@dataclass(frozen=True)
class Awaiting:
    incident: str
    agreement: str
    opened_at: datetime
    deadline: datetime
    version: int


def _open_to(session: Session, party: str, now: datetime,
             ) -> list[tuple[Agreement, dict[str, Any]]]:
    """Each agreement the party guarantees, with the terms of the store's awaiting
    queries under it."""
    known = reference(session)
    if party not in known.party_ids:
        raise NotFound(f"no party with code {party!r}", field="party", id=party)
    return [(a, {"agreement_id": known.agreement_ids[a.code],
                 "party_id": known.party_ids[party],
                 "opened_after": now - a.response_deadline,
                 "statuses": [Status.PENDING.value]})
            for a in known.agreements if party in a.guarantors]


def queue(session: Session, party: str, *, now: datetime, limit: int = 100) -> list[Awaiting]:
    """Incidents awaiting the party's verdict, oldest first: covered, still pending, before
    the deadline, and not yet answered by the party."""
    found: list[Awaiting] = []
    for agreement, terms in _open_to(session, party, now):
        found += [Awaiting(r.incident_uid, agreement.code, r.opened_at,
                           r.opened_at + agreement.response_deadline, r.version)
                  for r in store.awaiting(session, **terms, limit=limit)
                  if r.opened_at is not None]  # all of them: the query asks for opened ones
    # Stable: within an agreement, the store's order (deadline, then the event's time).
    return sorted(found, key=lambda a: a.opened_at)[:limit]


QUEUE_COUNTED = 10_000  # beyond this the queue's size is said as "at least"


def queue_size(session: Session, party: str, *, now: datetime) -> int:
    """How many incidents await the party's verdict, under every agreement (counted up to
    QUEUE_COUNTED under each)."""
    return sum(store.count_awaiting(session, **terms, at_most=QUEUE_COUNTED)
               for _, terms in _open_to(session, party, now))


def assess_every_incident(session: Session, *, now: datetime) -> int:
    """Assess every incident again (after an agreement changed). Returns how many."""
    reports = all_facts(session)
    of = incident_uids(session, [r.row_id for r in reports])
    groups: dict[str, list[ReportFacts]] = {}
    for r in reports:
        if r.row_id in of:
            groups.setdefault(of[r.row_id], []).append(r)
    summary = all_summaries(session)
    assess_incidents(session, {uid: incident_facts(g, summary[uid])
                               for uid, g in groups.items()}, now=now)
    return len(groups)


# --- entry points for the CLI and the API: one transaction each ---------------------------

def assess_all(db: Database) -> int:
    with db.session(write=True) as session:
        count = assess_every_incident(session, now=datetime.now(UTC))
        if changes.pending(session):
            ledger.append(session, ledger.mechanism(session), "incidents.assessed",
                          {"incidents": count})
        return count


def cast(db: Database, token: str | None, uid: str, *, username: str | None = None,
         **given: object) -> StandingView:
    with db.session(write=True) as session:
        account = _account(session, token=token, username=username)
        return cast_verdict(session, account, uid, **given)  # type: ignore[arg-type]


def read(db: Database, uid: str) -> list[StandingView]:
    with db.session() as session:
        return standings(session, uid, now=datetime.now(UTC))


def awaiting_verdict(db: Database, *, token: str | None = None, party: str | None = None,
                     limit: int = 100) -> tuple[str, list[Awaiting]]:
    """The party (the token's, or the one named) and the incidents awaiting its verdict."""
    with db.session() as session:
        if token is not None:
            party = authenticate_in(session, token=token).party
        if party is None:
            raise InvalidInput("name a party", field="party")
        return party, queue(session, party, now=datetime.now(UTC), limit=limit)


def awaiting_with_count(db: Database, party: str, *, limit: int = 100, skip: int = 0,
                        ) -> tuple[list[Awaiting], int]:
    """A page of the party's queue (after the first `skip`) and how many await it, read in
    one transaction so they agree."""
    now = datetime.now(UTC)
    with db.session() as session:
        return (queue(session, party, now=now, limit=skip + limit)[skip:],
                queue_size(session, party, now=now))


def guarantors_waited_on(db: Database) -> dict[str, int]:
    """How many incidents await each guarantor's verdict: what a party that casts none
    (an observer, the secretariat) sees of the queues."""
    now = datetime.now(UTC)
    with db.session() as session:
        guarantors = sorted({g for a in reference(session).agreements for g in a.guarantors})
        return {party: queue_size(session, party, now=now) for party in guarantors}


def _account(session: Session, *, token: str | None, username: str | None) -> Account:
    """The API's token, or the account the CLI's operator names."""
    if token is not None:
        return authenticate_in(session, token=token)
    account = find_account(session, username=username or "")
    if account is None or not account.active:
        raise NotFound(f"no active account {username!r}", field="account", id=username)
    return account
