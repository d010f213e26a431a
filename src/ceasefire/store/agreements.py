"""Agreements with their guarantors, actor statuses and zones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ceasefire.domain.actors import ActorStatus
from ceasefire.domain.agreement import Agreement, AmendedBy, Area, Position, QuorumRule, Zone
from ceasefire.domain.amendment import Amendment, amendment_with, terms_of
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import Period
from ceasefire.store import changes
from ceasefire.store.parties import actor_row, party_row
from ceasefire.store.rows import one_by, required
from ceasefire.store.tables import (
    AgreementActorRow,
    AgreementGuarantorRow,
    AgreementRow,
    AmendmentRow,
    ZoneRow,
)


def _area_json(area: Area) -> dict[str, Any]:
    return {"pcodes": sorted(area.pcodes), "polygons": [dict(p) for p in area.polygons]}


def _area(data: dict[str, Any]) -> Area:
    return Area(pcodes=frozenset(data.get("pcodes", ())),
                polygons=tuple(data.get("polygons", ())))


def _amendment(code: str, row: AmendmentRow) -> Amendment:
    return amendment_with(code, row.change, row.effective, row.reason, row.terms)


@dataclass(frozen=True)
class StoredAmendment:
    version: int
    amendment: Amendment
    made_by: str
    made_at: datetime


def _agreement(row: AgreementRow) -> Agreement:
    """The agreement as first agreed, with every amendment applied in order."""
    agreement = _as_agreed(row)
    for amended in row.amendments:
        agreement = _amendment(row.code, amended).apply(agreement)
    return agreement


def _as_agreed(row: AgreementRow) -> Agreement:
    return Agreement(
        code=row.code,
        title=row.title,
        period=Period(row.starts_at, row.ends_at),
        area=_area(row.area),
        prohibited=frozenset(ViolationType(v) for v in row.prohibited),
        guarantors=tuple(g.party.code for g in row.guarantors),
        actor_status={a.actor.code: ActorStatus(a.status) for a in row.actors},
        quorum=QuorumRule(row.quorum),
        response_deadline=timedelta(seconds=row.response_deadline_s),
        zones=tuple(Zone(z.code, z.name, Period(z.starts_at, z.ends_at), _area(z.area),
                         None if z.prohibited is None
                         else frozenset(ViolationType(v) for v in z.prohibited))
                    for z in row.zones),
        silence=Position(row.silence),
        amended_by=AmendedBy(row.amended_by),
    )


_LOAD = (
    selectinload(AgreementRow.guarantors).selectinload(AgreementGuarantorRow.party),
    selectinload(AgreementRow.actors).selectinload(AgreementActorRow.actor),
    selectinload(AgreementRow.zones),
    selectinload(AgreementRow.amendments),
)


def find_agreement(session: Session, *, code: str) -> Agreement | None:
    row = one_by(session, AgreementRow, AgreementRow.code, code, *_LOAD)
    return None if row is None else _agreement(row)


def find_as_agreed(session: Session, *, code: str) -> Agreement | None:
    """The agreement as first agreed, before any amendment (what a scenario file states)."""
    row = one_by(session, AgreementRow, AgreementRow.code, code, *_LOAD)
    return None if row is None else _as_agreed(row)


def amendments_of(session: Session, *, code: str) -> list[StoredAmendment]:
    row = required(one_by(session, AgreementRow, AgreementRow.code, code, *_LOAD),
                   f"no agreement with code {code!r}", field="agreement", key=code)
    return [StoredAmendment(a.version, _amendment(code, a), a.made_by, a.made_at)
            for a in row.amendments]


def add_amendment(session: Session, *, amendment: Amendment, version: int, made_by: str,
                  made_at: datetime) -> int:
    """Store an amendment the domain has checked (`Amendment.apply`); returns its id."""
    parent = one_by(session, AgreementRow, AgreementRow.code, amendment.agreement, *_LOAD)
    assert parent is not None
    row = AmendmentRow(version=version,
                       change=amendment.change.value, effective=amendment.effective,
                       reason=amendment.reason, terms=terms_of(amendment), made_by=made_by,
                       made_at=made_at)
    parent.amendments.append(row)  # the loaded agreement sees it in this transaction
    session.flush()
    changes.touch(session, "amendment", [row.id])
    return row.id


def get_agreement(session: Session, *, code: str) -> Agreement:
    return required(find_agreement(session, code=code), f"no agreement with code {code!r}",
                    field="agreement", key=code)


def list_agreements(session: Session) -> list[Agreement]:
    rows = session.scalars(select(AgreementRow).options(*_LOAD).order_by(AgreementRow.starts_at,
                                                                         AgreementRow.code))
    return [_agreement(r) for r in rows]


def add_agreement(session: Session, *, agreement: Agreement) -> None:
    """Store a new agreement; its guarantors and actors must already be stored."""
    row = AgreementRow(
        code=agreement.code,
        title=agreement.title,
        starts_at=agreement.period.start,
        ends_at=agreement.period.end,
        area=_area_json(agreement.area),
        prohibited=sorted(v.value for v in agreement.prohibited),
        quorum=agreement.quorum.value,
        response_deadline_s=int(agreement.response_deadline.total_seconds()),
        silence=agreement.silence.value,
        amended_by=agreement.amended_by.value,
        guarantors=[AgreementGuarantorRow(party=party_row(session, code), position=i)
                    for i, code in enumerate(agreement.guarantors)],
        actors=[AgreementActorRow(actor=actor_row(session, code), status=status.value)
                for code, status in sorted(agreement.actor_status.items())],
        zones=[ZoneRow(code=z.code, name=z.name, starts_at=z.period.start, ends_at=z.period.end,
                       area=_area_json(z.area),
                       prohibited=None if z.prohibited is None
                       else sorted(v.value for v in z.prohibited)) for z in agreement.zones],
    )
    session.add(row)
    session.flush()
    changes.touch(session, "agreement", [agreement.code])
