"""Exports of incidents (CSV, GeoJSON, JSON): the incidents of a selection under one
agreement, as the incident list selects, orders and words them, with their status now
(the overview's SQL status expression, the one the pages read), each guarantor's standing
verdict and the actors the confirming verdicts name, read in one snapshot of the record
together with the ledger's size and Merkle root at that snapshot (docs/formats.md).

A bad selection or format is refused before anything is written; after that, the export
is streamed a page of incidents at a time, for a file (`write_incidents`) or an HTTP
response (`export_incidents`).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.domain.actors import ActorDirectory
from ceasefire.domain.agreement import Agreement, Position
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.verdict import Verdict, latest_verdicts
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import AdminIndex, syria
from ceasefire.outputs.exports import TextOut
from ceasefire.outputs.incident_exports import (
    FORMATS,
    ExportedIncident,
    GuarantorVerdict,
    Header,
    Named,
    pieces,
)
from ceasefire.services import ledger, overview
from ceasefire.services.overview import Selection
from ceasefire.store import incident_exports as store
from ceasefire.store.bulletins import Cast, verdicts_on
from ceasefire.store.db import Database
from ceasefire.store.overview import Scope
from ceasefire.store.reference import reference

PAGE = 1000  # incidents read at a time
CHUNK = 1 << 16  # characters handed on at a time (a response's chunk)


class IncidentExport:
    """An export begun: its format and selection checked (a refusal is raised here, before
    any of it is written) and its snapshot of the record taken. Iterate it for the text;
    `count` is how many incidents it has given so far."""

    header: Header  # what holds for the whole export: the agreement, the checkpoint…

    def __init__(self, db: Database, selection: Selection, fmt: str, now: datetime) -> None:
        if fmt not in FORMATS:
            raise InvalidInput(f"no export format {fmt!r}; one of {', '.join(FORMATS)}",
                               field="format", id=fmt)
        self.fmt = fmt
        self.count = 0
        self._text = self._read(db, selection, now)
        next(self._text)  # the selection checked and the snapshot taken, or raised

    def _read(self, db: Database, selection: Selection, now: datetime,
              ) -> Generator[str, None, None]:
        with db.session() as session:
            store.read_one_snapshot(session)
            scope = overview.scope(session, selection, now=now)
            agreement = overview.agreement_of(session, selection.agreement)
            tree, size = ledger.current_tree(session)
            self.header = Header(agreement.code, agreement.guarantors,
                                 _selection(selection, agreement.code), size,
                                 tree.root(size).hex())
            yield ""
            yield from _chunks(pieces(self.fmt, self.header,
                                      self._incidents(session, scope, agreement)))

    def _incidents(self, session: Session, scope: Scope,
                   agreement: Agreement) -> Iterator[ExportedIncident]:
        actors, areas = reference(session).actors, syria()
        after: tuple[datetime, str] | None = None
        while True:
            rows = store.page(session, scope, limit=PAGE, after=after)
            reports = store.from_reports(session, [r.incident_id for r in rows])
            cast = verdicts_on(session, [r.assessment_id for r in rows])
            for row in rows:
                yield _incident(row, reports.get(row.incident_id),
                                cast.get(row.assessment_id, []), agreement, actors, areas)
                self.count += 1
            if len(rows) < PAGE:
                return
            after = (rows[-1].earliest, rows[-1].uid)

    def __iter__(self) -> Iterator[str]:
        return self._text

    def close(self) -> None:
        """End the read transaction early (reading to the end ends it too)."""
        self._text.close()

    def __enter__(self) -> IncidentExport:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @property
    def filename(self) -> str:
        """A name for the file: the agreement, and the days if the selection names them."""
        s = self.header.selection
        days = "".join(f"_{s[k]}" if s.get(k) else "" for k in ("from", "to"))
        return f"incidents_{self.header.agreement}{days}.{self.fmt}"


def export_incidents(db: Database, selection: Selection, fmt: str, *,
                     now: datetime | None = None) -> IncidentExport:
    """Begin an export of the selection's incidents in `fmt` (csv, geojson, json), their
    status as of `now`: raises for a bad format or selection, naming it, before any of it
    is written."""
    return IncidentExport(db, selection, fmt, now or datetime.now(UTC))


def write_incidents(db: Database, selection: Selection, fmt: str, out: TextOut, *,
                    now: datetime | None = None) -> int:
    """Write the export to `out` (a file from outputs.files.written, to be whole or not
    at all); returns how many incidents."""
    with export_incidents(db, selection, fmt, now=now) as export:
        for piece in export:
            out.write(piece)
    return export.count


def _selection(s: Selection, agreement: str) -> dict[str, Any]:
    """The selection as the incident list's query names it (`to`: the last day)."""
    last = s.until - timedelta(days=1) if s.until else None
    return {"agreement": agreement, "from": s.since.isoformat() if s.since else None,
            "to": last.isoformat() if last else None, "adm": s.adm,
            "violation": s.violation, "party": s.party, "status": list(s.statuses),
            **({"q": s.q} if s.q else {})}


def _chunks(text: Iterable[str]) -> Iterator[str]:
    held: list[str] = []
    size = 0
    for piece in text:
        held.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(held)
            held, size = [], 0
    if held:
        yield "".join(held)


def _area(areas: AdminIndex, code: str | None) -> Named | None:
    if code is None:
        return None
    return Named(code, areas.area(code).name if code in areas else code)


def _words(violation: str) -> str:
    try:
        return ViolationType(violation).label
    except ValueError:
        return violation


def _incident(row: store.Selected, reports: store.FromReports | None, cast: Sequence[Cast],
              agreement: Agreement, actors: ActorDirectory,
              areas: AdminIndex) -> ExportedIncident:
    latest = latest_verdicts(agreement, [
        Verdict(row.uid, c.party, Position(c.position), c.cast_at, c.attributed_to)
        for c in cast])
    named = sorted({v.attributed_to for v in latest.values()
                    if v.position is Position.CONFIRM and v.attributed_to})
    reports = reports or store.FromReports((), 0, 0, 0, None)
    return ExportedIncident(
        id=row.uid, began=row.earliest, ended=row.latest,
        adm=(_area(areas, row.adm1), _area(areas, row.adm2), _area(areas, row.adm3)),
        lon=row.lon, lat=row.lat, where_precision=row.where_precision,
        violation=row.violation, violation_words=_words(row.violation), reports=row.reports,
        reporting_parties=reports.parties, killed_low=reports.killed_low,
        killed_best=reports.killed_best, killed_high=reports.killed_high,
        injured=reports.injured, status=row.status,
        verdicts={g: GuarantorVerdict(latest[g].position.value, latest[g].cast_at)
                  if g in latest else None for g in agreement.guarantors},
        attributed_to=tuple(Named(code, actors.get(code).name if code in actors else code)
                            for code in named),
        deadline=row.opened_at + agreement.response_deadline
        if row.covered and row.opened_at is not None else None)
