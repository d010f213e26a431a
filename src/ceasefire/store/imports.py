"""The imports log, the Idempotency-Key memory and the place names learnt from imports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from ceasefire.store import changes
from ceasefire.store.tables import IdempotencyRow, ImportRow, PlaceNameRow


@dataclass(frozen=True, slots=True)
class ImportCounts:
    read: int
    added: int
    present: int
    rejected: int


def start_import(session: Session, *, format: str, file_name: str,  # noqa: A002
                 file_sha256: str, source_name: str | None, party_id: int,
                 started_at: datetime) -> ImportRow:
    row = ImportRow(format=format, file_name=file_name[-500:], file_sha256=file_sha256,
                    source_name=source_name, party_id=party_id, started_at=started_at,
                    finished_at=started_at, rows_read=0, rows_added=0, rows_present=0,
                    rows_rejected=0)
    session.add(row)
    session.flush()
    return row


def finish_import(session: Session, row: ImportRow, counts: ImportCounts,
                  finished_at: datetime) -> None:
    row.finished_at = finished_at
    row.rows_read, row.rows_added = counts.read, counts.added
    row.rows_present, row.rows_rejected = counts.present, counts.rejected
    session.flush()
    changes.touch(session, "import", [row.id])


def forget_import(session: Session, row: ImportRow) -> None:
    """An import that added nothing leaves no trace (no report refers to it)."""
    changes.untouch(session, "import", [row.id])
    session.delete(row)
    session.flush()


@dataclass(frozen=True, slots=True)
class Remembered:
    request_sha256: str
    report_id: int


def remembered(session: Session, *, account_id: int, key: str) -> Remembered | None:
    row = session.connection().execute(
        select(IdempotencyRow.request_sha256, IdempotencyRow.report_id).where(
            IdempotencyRow.account_id == account_id, IdempotencyRow.key == key)).one_or_none()
    return None if row is None else Remembered(*row)


def remember(session: Session, *, account_id: int, key: str, request_sha256: str,
             report_id: int, created_at: datetime) -> None:
    session.connection().execute(insert(IdempotencyRow).values(
        account_id=account_id, key=key, request_sha256=request_sha256, report_id=report_id,
        created_at=created_at))


@dataclass(frozen=True, slots=True)
class LearntPlace:
    key: str
    name: str
    lon: float
    lat: float
    precision: int
    adm1: str | None
    adm2: str | None
    adm3: str | None
    source_name: str


def learn_places(session: Session, places: Iterable[LearntPlace]) -> int:
    """Store place names not known yet; returns how many were new."""
    wanted: dict[tuple[str, str], LearntPlace] = {}
    for p in places:  # the first report to give a name teaches it, as the record's order
        wanted.setdefault((p.key, p.name), p)
    if not wanted:
        return 0
    known: set[tuple[str, str]] = set()
    pairs = list(wanted)
    for start in range(0, len(pairs), 400):
        known.update(session.execute(select(PlaceNameRow.key, PlaceNameRow.name).where(
            tuple_(PlaceNameRow.key, PlaceNameRow.name).in_(pairs[start:start + 400]))).all())
    new = [p for pair, p in wanted.items() if pair not in known]
    rows = [PlaceNameRow(key=p.key, name=p.name, lon=p.lon, lat=p.lat,
                         precision=p.precision, adm1=p.adm1, adm2=p.adm2, adm3=p.adm3,
                         source_name=p.source_name) for p in new]
    session.add_all(rows)
    session.flush()
    # A learnt name places later reports: a record, so an edit is named by verify.
    changes.touch(session, "place", [r.id for r in rows])
    return len(new)


def places_keyed(session: Session, key: str) -> list[LearntPlace]:
    rows = session.scalars(select(PlaceNameRow).where(PlaceNameRow.key == key)
                           .order_by(PlaceNameRow.id))
    return [LearntPlace(r.key, r.name, r.lon, r.lat, r.precision, r.adm1, r.adm2, r.adm3,
                        r.source_name)
            for r in rows]
