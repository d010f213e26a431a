"""Bulletins: the daily bulletin and the period report to the talks, counted from the
record under one agreement, with the ledger checkpoint the counts rest on; publishing one
(the secretariat's act), and reading what was published."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.domain import words
from ceasefire.domain.agreement import Agreement, Position, QuorumRule
from ceasefire.domain.bulletin import Bulletin, IncidentLine, attribution, bulletin, ended
from ceasefire.domain.parties import Account, PartyKind, Role
from ceasefire.domain.status import Status
from ceasefire.domain.verdict import Verdict, latest_verdicts
from ceasefire.domain.when import Period
from ceasefire.domain.words import number_words
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.outputs.bulletins import Names, as_dict, as_json, document_of, document_sha256
from ceasefire.services import ledger, ledger_checks, overview, witnessing
from ceasefire.store import bulletins as store
from ceasefire.store import overview as overview_store
from ceasefire.store import parties as parties_store
from ceasefire.store.accounts import find_account
from ceasefire.store.bulletins import Published, incidents_starting
from ceasefire.store.db import Database
from ceasefire.store.records import AssessmentKey, Key
from ceasefire.store.reference import reference


@dataclass(frozen=True)
class Issued:
    bulletin: Bulletin
    checkpoint: Checkpoint  # the ledger as it stood when the counts were taken
    at: datetime
    verified: int = 0  # records the counts rest on, each checked against the ledger
    names: Names | None = None

    def document(self) -> dict[str, Any]:
        return as_dict(self.bulletin, self.checkpoint, self.at, self.verified, self.names)


def _confirmed_by(terms: Agreement) -> str:
    n = len(terms.guarantors)
    if terms.quorum is QuorumRule.UNANIMOUS:
        return ("the guarantor" if n == 1 else "both guarantors" if n == 2
                else f"all {number_words(n)} guarantors")
    return f"at least {number_words(terms.quorum_size())} of the {number_words(n)} guarantors"


def _names(session: Session, terms: Agreement) -> Names:
    """The names the document gives for the codes it counts by, as they are now."""
    parties = {p.code: p for p in parties_store.list_parties(session)}
    return Names(
        terms.title, tuple(parties[g].name for g in terms.guarantors if g in parties),
        next((p.name for p in parties.values() if p.kind is PartyKind.SECRETARIAT), ""),
        _confirmed_by(terms),
        {terms.code: "The agreement's own terms (no zone)",
         **{z.code: f"{z.name} (zone)" for z in terms.zones}},
        {a.code: a.name for a in reference(session).actors},
        {code: p.name for code, p in parties.items()})


def _agreement(session: Session, code: str | None) -> str:
    codes = list(reference(session).agreement_ids)
    if code is None:
        if len(codes) != 1:
            raise InvalidInput(f"name the agreement: one of {', '.join(codes) or 'none'}",
                               field="agreement")
        return codes[0]
    if code not in codes:
        raise InvalidInput(f"no agreement {code!r}; one of {', '.join(codes)}",
                           field="agreement", id=code)
    return code


def lines(session: Session, agreement: str, period: Period, *, now: datetime,
          rests_on: dict[str, list[Key]] | None = None) -> list[IncidentLine]:
    """Each incident starting in the period, with its status now under `agreement` (an
    incident it has not assessed is outside it: not covered), all read from the signed
    records; `rests_on` gathers the records the lines were read from, by kind."""
    known = reference(session)
    agreement_id = known.agreement_ids[agreement]
    terms = next(a for a in known.agreements if a.code == agreement)
    lapsed = overview.lapsed(session, terms, agreement_id, now=now)
    start, end = period.bounds()
    status = store.statuses(session, agreement_id, lapsed, start, end)
    found = incidents_starting(session, start, end)
    confirmed = [a.assessment_id for a in status.values() if a.status == "confirmed"]
    cast = store.verdicts_on(session, confirmed)
    if rests_on is not None:
        uids = [line.incident for line in found]
        rests_on.setdefault("incident", []).extend(uids)
        rests_on.setdefault("report", []).extend(store.report_keys(session, uids))
        rests_on.setdefault("assessment", []).extend(
            AssessmentKey(uid, agreement) for uid in uids if uid in status)
        rests_on.setdefault("verdict", []).extend(
            store.verdict_keys(session, [a.assessment_id for a in status.values()]))

    def attributed(uid: str, assessment_id: int) -> str:
        latest = latest_verdicts(terms, [Verdict(uid, c.party, Position(c.position),
                                                 c.cast_at, c.attributed_to)
                                         for c in cast.get(assessment_id, [])])
        return attribution(v.attributed_to for v in latest.values()
                           if v.position is Position.CONFIRM)

    out = []
    for line in found:
        a = status.get(line.incident)
        if a is not None:
            line = replace(line, status=Status(a.status), terms=a.terms,
                           attributed=attributed(line.incident, a.assessment_id)
                           if a.status == "confirmed" else None)
        out.append(line)
    return out


def issue(db: Database, period: Period, *, agreement: str | None = None,
          now: datetime | None = None, last_field: str = "to") -> Issued:
    """Count the period and the one before it from the signed records, check each record
    the counts rest on against the ledger (as the ledger's entries last wrote it, each
    entry signed by a key the ledger trusts), and take the checkpoint of the ledger as the
    counts saw it: the bulletin states it, and holds only if the check held. A period
    whose last day (the caller's `last_field`) is not over is refused."""
    now = now or datetime.now(UTC)
    ended(period, now, field=last_field)
    rests_on: dict[str, list[Key]] = {}
    with db.session() as session:
        code = _agreement(session, agreement)
        names = _names(session, next(a for a in reference(session).agreements
                                     if a.code == code))
        counted = bulletin(code, period, lines(session, code, period, now=now,
                                               rests_on=rests_on),
                           lines(session, code, period.before(), now=now, rests_on=rests_on))
        rests_on["agreement"] = [code]
        size = ledger.head(session)[0]
        held = ledger_checks.records_hold(session, rests_on)
        pages = overview_store.differences_of(session, [str(u) for u in rests_on["incident"]])
    if held.problem is not None:
        raise Conflict(f"the record does not hold against the ledger, so no bulletin is "
                       f"counted from it: {held.problem} (`ceasefire ledger verify` says "
                       "more)", field="ledger")
    if pages:
        raise Conflict(f"the pages' overview differs from the record: {pages[0]} "
                       "(`ceasefire ledger verify` says more)", field="incident_overview")
    return Issued(counted, ledger.checkpoint(db, size=size), now, held.records, names)


# -- publishing -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedBulletin:
    id: int
    seq: int  # the ledger entry that published it
    corrects: int | None  # the bulletin of the same period and agreement it supersedes
    document: dict[str, Any]
    published_at: datetime | None = None


def _publisher(db: Database, *, username: str | None, account: Account | None) -> Account:
    """The account publishing: the page's, or the one the CLI's operator names. Only the
    secretariat publishes; anyone else is refused before anything is counted."""
    if account is None:
        with db.session() as session:
            account = find_account(session, username=username or "")
        if account is None or not account.active:
            raise NotFound(f"no active account {username!r}", field="account", id=username)
    if account.role is not Role.SECRETARIAT:
        raise Forbidden(f"{words.an_account(account.role)} cannot publish bulletins; the "
                        "secretariat does")
    return account


def publish(db: Database, period: Period, *, agreement: str | None = None,
            username: str | None = None, account: Account | None = None,
            now: datetime | None = None, last_field: str = "to") -> PublishedBulletin:
    """Count the period, then keep the bulletin as issued with a `bulletin.published`
    ledger entry that signs its document's SHA-256. A period published before is not
    touched: the new bulletin corrects it."""
    publisher = _publisher(db, username=username, account=account)
    issued = issue(db, period, agreement=agreement, now=now, last_field=last_field)
    document = issued.document()
    document["witnessed"] = _witnessed(db, issued.checkpoint)
    text, sha256 = as_json(document), document_sha256(document)
    code = issued.bulletin.agreement
    with db.session(write=True) as session:
        known = reference(session)
        if publisher.username not in known.account_ids:  # removed meanwhile
            raise NotFound(f"no account {publisher.username!r}", field="account",
                           id=publisher.username)
        earlier = store.published(session, agreement_id=known.agreement_ids[code],
                                  period=period.bounds())
        corrects = earlier[-1].id if earlier else None
        published_at = datetime.now(UTC)
        bulletin_id = store.add_bulletin(
            session, agreement_id=known.agreement_ids[code], period_start=period.start,
            period_end=period.bounds()[1], checkpoint=document["checkpoint"], issued_at=issued.at,
            published_at=published_at, party_id=known.party_ids[publisher.party],
            account_id=known.account_ids[publisher.username], document=text,
            document_sha256=sha256)
        entry = ledger.append(session, ledger.acting_as(session, publisher),
                              "bulletin.published", {
            "bulletin": bulletin_id, "agreement": code, "period": document["period"],
            "checkpoint": {"size": issued.checkpoint.size,
                           "root": issued.checkpoint.root.hex()},
            "document_sha256": sha256, "corrects": corrects})
    return PublishedBulletin(bulletin_id, entry.seq, corrects, document, published_at)


def _witnessed(db: Database, counted: Checkpoint) -> dict[str, Any] | None:
    """The witnessed checkpoint that covers the one the counts rest on, with the proof
    that it extends it; None when the deployment has no witnesses (the bulletin says its
    checkpoint is unwitnessed). With witnesses, a bulletin waits for their quorum."""
    if not db.witnesses:
        return None
    found = witnessing.witness_now(db, db.witnesses, at_least=counted.size)
    _, _, _, _, proof = ledger.consistency(db, counted.size, found.checkpoint.size)
    return {**found.as_json(), "proof_from_counted": [h.hex() for h in proof]}


def agreements(db: Database) -> dict[str, str]:
    """The agreements a bulletin may be counted under: code -> title."""
    with db.session() as session:
        return {a.code: a.title for a in reference(session).agreements}


# -- reading what was published ---------------------------------------------------------------

@dataclass(frozen=True)
class Listed:
    """A published bulletin in the list: the newest of its period and agreement, with the
    ones it supersedes (newest first)."""

    bulletin: Published
    superseded: list[Published] = field(default_factory=list)


def listing(db: Database) -> list[Listed]:
    """The newest bulletin of each period and agreement, latest period first."""
    with db.session() as session:
        rows = store.published(session)
    groups: dict[tuple[str, datetime, datetime], list[Published]] = {}
    for row in rows:  # oldest first
        groups.setdefault((row.agreement, row.period_start, row.period_end), []).append(row)
    listed = [Listed(g[-1], g[-2::-1]) for g in groups.values()]
    return sorted(listed, key=lambda x: (x.bulletin.period_start, x.bulletin.period_end,
                                         x.bulletin.id), reverse=True)


@dataclass(frozen=True)
class Shown:
    bulletin: Published
    document: dict[str, Any]
    text: str  # the document as published, byte for byte
    superseded_by: int | None  # the newest correction, if any
    corrects: list[Published]  # the earlier ones of its period, newest first


def shown(db: Database, bulletin_id: int) -> Shown:
    """A published bulletin as published: its document, and where it stands among the
    bulletins of its period."""
    with db.session() as session:
        found = store.published_one(session, bulletin_id)
        if found is None:
            raise NotFound(f"no published bulletin {bulletin_id}", field="id",
                           id=str(bulletin_id))
        row, text = found
        same = store.published(session, agreement_id=reference(session).agreement_ids[
            row.agreement], period=(row.period_start, row.period_end))
    newest = same[-1].id
    return Shown(row, document_of(text), text, None if newest == row.id else newest,
                 [x for x in reversed(same) if x.id < row.id])
