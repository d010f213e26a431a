"""Bulk import of a report file: streamed, batched, and all or nothing.

The whole file is one write transaction: a fault (or a crash) leaves the database as it
was, and running the import again finishes the job. Each row is checked and normalised
once: with ``rejects`` the bad rows go to a rejects file with every problem of each, and
the rest is imported; ``check_file`` reads a file the same way and writes nothing. Each
record has a stable id, so importing the same file twice adds nothing; the same id with
other content is refused, never silently overwritten.
"""

from __future__ import annotations

import csv
import gc
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from ceasefire.domain.place import WherePrecision
from ceasefire.domain.report import Report
from ceasefire.errors import CeasefireError, Conflict, InvalidInput, NotFound
from ceasefire.geo.gazetteer import place_key
from ceasefire.intake.check import FileCheck, Tally
from ceasefire.intake.files import LineReader
from ceasefire.intake.formats import Format, Rejected, column_of
from ceasefire.intake.formats.acled import Acled
from ceasefire.intake.formats.hxl import HxlCsv
from ceasefire.intake.formats.jsonl import JsonLines
from ceasefire.intake.formats.ucdp import UcdpGed
from ceasefire.intake.normalise import (
    Draft,
    Refused,
    content_digest,
    name_problems,
    normalise_each,
)
from ceasefire.outputs.files import Output, written
from ceasefire.services import ledger
from ceasefire.services.correlation import correlate_added
from ceasefire.services.intake import intake_context
from ceasefire.store import changes, imports
from ceasefire.store.db import Database
from ceasefire.store.reference import Reference, reference
from ceasefire.store.reports import ReportWriter, StoredReport

FORMATS: dict[str, type[Format]] = {f.name: f for f in (UcdpGed, Acled, JsonLines, HxlCsv)}
BATCH = 5000


@dataclass(frozen=True)
class SharedKey:
    """A report this import added, and another party's report giving the same key."""

    key: str
    report: str  # ours, just added
    other: str  # theirs
    other_party: str


@dataclass(frozen=True)
class ImportSummary:
    file: str
    format: str
    read: int
    added: int
    present: int  # already in the record, identical: skipped
    rejected: int
    places_learnt: int
    seconds: float
    rejects_file: str | None = None
    incidents: int | None = None  # incidents the new reports belong to; None: not correlated
    # New reports whose source key another party's report gives too: both are kept (a
    # key is its party's own), and both are named here.
    shared_keys: tuple[SharedKey, ...] = ()

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


Progress = Callable[[int, int, int], None]  # rows read, bytes read, bytes in all


REJECTS_COLUMNS = ("line", "field", "id", "error", "record")


class _Rejects:
    """Bad rows as CSV, a line per problem (docs/formats.md); or, by default, stop at the
    first bad row."""

    def __init__(self, out: Output | None, source: str, fmt: Format) -> None:
        self._writer = csv.writer(out) if out is not None else None
        if self._writer is not None:
            self._writer.writerow(REJECTS_COLUMNS)
        self._source = source
        self._format = fmt
        self.count = 0  # rows

    def add(self, problems: Sequence[CeasefireError], raw: str) -> None:
        for error in _in_file(problems, self._source, self._format):
            if self._writer is None:
                raise error
            self._writer.writerow([error.line, error.field or "", error.id or "",
                                   error.message, raw])
        self.count += 1


def _in_file(problems: Sequence[CeasefireError], source: str, fmt: Format
             ) -> Sequence[CeasefireError]:
    """The problems as the file names them: its path, and its own column (the format's
    columns are known once it has read the header)."""
    for error in problems:
        error.source = source
        error.field = column_of(fmt.columns, error.field)
    return problems


def import_file(db: Database, path: Path, *, format: str, party: str,  # noqa: A002
                source_name: str | None = None, rejects: Path | None = None,
                batch_size: int = BATCH, progress: Progress | None = None,
                correlate: bool = True) -> ImportSummary:
    """Import ``path``; ``rejects`` set means skip bad rows and write them there.
    ``correlate`` gives the new reports their incidents in the same transaction; without
    it they wait for a batch run (``ceasefire correlate``)."""
    with _without_cycle_collection():
        return _import(db, path, format=format, party=party, source_name=source_name,
                       rejects=rejects, batch_size=batch_size, progress=progress,
                       correlate=correlate)


def check_file(db: Database, path: Path, *, format: str,  # noqa: A002
               party: str | None = None, source_name: str | None = None,
               batch_size: int = BATCH, progress: Progress | None = None) -> FileCheck:
    """Read the whole of ``path`` as an import would and change nothing: every problem of
    every row, tallied. ``party``: whom the rows would be imported as (by default the
    first party; it matters only to rows that name their own)."""
    fmt = FORMATS[format]()
    with _without_cycle_collection(), _opened(path) as stream:
        with db.session() as session:
            known = reference(session)
        if party is None:
            party = min(known.party_ids, default=None)
        if party not in known.party_ids:
            raise NotFound(f"no party with code {party!r}" if party else
                           "the record has no parties: load a scenario first",
                           field="party", id=party)
        lines = LineReader(path, stream)
        tally = Tally()
        for batch in _prepare(db, known, lines, fmt.read(lines, source_name), party,
                              datetime.now(UTC), batch_size):
            tally.read += batch.read
            for problems, _ in batch.rejected:
                tally.add(_in_file(problems, str(path), fmt))
            if progress is not None:
                progress(tally.read, batch.position, lines.size)
        if tally.read == 0:
            raise InvalidInput("the file holds no reports", source=str(path),
                               line=max(lines.line, 1))
    return tally.result(known.actors, file=str(path), format=fmt.name)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector would rescan every object a batch creates, again and
    again, for nothing: a batch holds no cycles. Off for the import, back on after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _opened(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", source=str(path)) from exc


def _import(db: Database, path: Path, *, format: str, party: str,  # noqa: A002
            source_name: str | None, rejects: Path | None, batch_size: int,
            progress: Progress | None, correlate: bool) -> ImportSummary:
    fmt = FORMATS[format]()
    started = datetime.now(UTC)
    clock = time.perf_counter()
    with (_opened(path) as stream, _open_rejects(rejects) as out,
          db.session(write=True) as session):
        known = reference(session)
        if party not in known.party_ids:
            raise NotFound(f"no party with code {party!r}", field="party", id=party)
        writer = ReportWriter(session, known)
        lines = LineReader(path, stream)
        bad = _Rejects(out, str(path), fmt)
        log = imports.start_import(session, format=fmt.name, file_name=str(path),
                                   file_sha256="", source_name=source_name or fmt.default_source,
                                   party_id=writer.party_ids[party], started_at=started)
        counts = _Counts()
        prepare = partial(_prepare, db, known, lines, fmt.read(lines, source_name), party,
                          started, batch_size)
        with _ahead(prepare) as batches:
            for batch in batches:
                counts.read += batch.read
                for problems, raw in batch.rejected:
                    bad.add(problems, raw)
                added = _store(writer, batch.reports, batch.digests, log.id, counts, bad)
                # Only what enters the record teaches names: not a row refused, nor one
                # the record holds already.
                counts.learnt += imports.learn_places(session, _learnt(added))
                if progress is not None:
                    progress(counts.read, batch.position, lines.size)
        if counts.read == 0:
            raise InvalidInput("the file holds no reports", source=str(path),
                               line=max(lines.line, 1))
        log.file_sha256 = lines.sha256.hexdigest()
        imports.finish_import(session, log, imports.ImportCounts(
            counts.read, counts.added, counts.present, bad.count), datetime.now(UTC))
        if not counts.added:  # a file already in the record changes nothing, logs nothing
            imports.forget_import(session, log)
        else:
            ledger.append(session, ledger.acting(session, party=party), "reports.imported", {
                "file": path.name, "sha256": log.file_sha256, "format": fmt.name,
                "read": counts.read, "added": counts.added, "present": counts.present,
                "rejected": bad.count})
        incidents = (len(set(correlate_added(session, counts.row_ids).values()))
                     if correlate else None)
        if changes.pending(session):
            ledger.append(session, ledger.mechanism(session), "incidents.correlated",
                          {"after": "reports.imported"})
        if out is not None:  # a full disk fails the import here, before it commits
            out.flush()
    return ImportSummary(str(path), fmt.name, counts.read, counts.added, counts.present,
                         bad.count, counts.learnt, time.perf_counter() - clock,
                         str(rejects) if rejects else None, incidents,
                         tuple(counts.shared))


@dataclass(frozen=True)
class _Prepared:
    """A batch read, checked and normalised, ready to be stored."""

    read: int
    rejected: list[tuple[Sequence[CeasefireError], str]]  # every problem; in line order
    reports: list[tuple[Draft, Report]]
    digests: list[str]
    position: int  # bytes of the file read so far


def _prepare(db: Database, known: Reference, lines: LineReader,
             items: Iterable[Draft | Rejected], party: str, received_at: datetime,
             batch_size: int) -> Iterator[_Prepared]:
    """Batches ready to store, each row checked and normalised once. Runs in its own
    thread, with its own read transaction for the place names learnt by earlier imports."""
    with db.session() as session:
        context = intake_context(session, known)
        for batch in _batches(items, batch_size):
            rejected: list[tuple[int, Sequence[CeasefireError], str]] = []
            drafts = []
            for item in batch:
                if isinstance(item, Rejected):
                    # Its actor names too: one round names every unknown one.
                    names = name_problems(known.actors, item.names, item.line)
                    rejected.append((item.line or 0, [*item.problems, *names], item.raw))
                else:
                    drafts.append(item)
            reports = []
            for draft, outcome in zip(drafts, normalise_each(
                    context, drafts, submitted_by=party, received_at=received_at),
                                      strict=True):
                if isinstance(outcome, Refused):
                    rejected.append((draft.line or 0, outcome.problems, draft.raw))
                else:
                    reports.append((draft, outcome))
            rejected.sort(key=lambda r: r[0])
            yield _Prepared(len(batch), [(problems, raw) for _, problems, raw in rejected],
                            reports, [content_digest(r) for _, r in reports],
                            lines.position)


@contextmanager
def _ahead(produce: Callable[[], Iterator[_Prepared]]) -> Iterator[Iterator[_Prepared]]:
    """Run ``produce`` in a thread, a couple of batches ahead of the caller.

    Reading and checking are Python work; the database driver lets go of the interpreter
    while it writes. So the next batch is prepared while this one is written, on the
    machine's other core. Errors of the producer reach the caller in order.
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def run() -> None:
        try:
            for prepared in produce():
                while not stop.is_set():
                    try:
                        ready.put(prepared, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
            ready.put(exc)

    def consume() -> Iterator[_Prepared]:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item

    thread = threading.Thread(target=run, name="import-prepare", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        while thread.is_alive():  # let a producer blocked on a full queue finish
            try:
                ready.get(timeout=0.1)
            except queue.Empty:
                continue
        thread.join()


_DONE = object()


@dataclass
class _Counts:
    read: int = 0
    added: int = 0
    present: int = 0
    learnt: int = 0
    row_ids: list[int] = field(default_factory=list)
    shared: list[SharedKey] = field(default_factory=list)


def _open_rejects(path: Path | None) -> AbstractContextManager[Output | None]:
    """The rejects file, which appears (whole) once the import has committed."""
    if path is None:
        return nullcontext(None)
    return written(path)


def _batches(items: Iterable[Draft | Rejected], size: int) -> Iterator[list[Draft | Rejected]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _keys_by_party(reports: Iterable[Report]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for r in reports:
        if r.source.key is not None:
            keys.setdefault(r.submitted_by, []).append(r.source.key)
    return keys


def _store(writer: ReportWriter, batch: list[tuple[Draft, Report]], digests: list[str],
           import_id: int, counts: _Counts, bad: _Rejects) -> list[Report]:
    """Write the batch's new reports; returns them. A record is found again by its id, or
    by its party's source key (a key is its party's own); another party's report with
    the same key is another report, named in the summary."""
    stored = writer.stored([r.id for _, r in batch])
    keyed = {(party, key): found for party, keys in _keys_by_party(r for _, r in batch).items()
             for key, found in writer.keyed(keys, party=party).items()}
    new: dict[str, tuple[Report, str]] = {}
    new_keys: dict[tuple[str, str], str] = {}  # (party, key) -> id, of this batch's new ones
    for (draft, report), digest in zip(batch, digests, strict=True):
        key = report.source.key
        mine = (report.submitted_by, key) if key else None
        earlier = stored.get(report.id) or (keyed.get(mine) if mine else None)
        if earlier is None and mine in new_keys:
            earlier = StoredReport(new_keys[mine], new[new_keys[mine]][1], key)
        if earlier is None and report.id in new:
            earlier_digest: str | None = new[report.id][1]
        else:
            earlier_digest = earlier.content_sha256 if earlier else None
        if earlier_digest is None:
            new[report.id] = (report, digest)
            if mine:
                new_keys[mine] = report.id
        elif earlier_digest == digest:
            counts.present += 1
        elif earlier is not None and earlier.uid != report.id:
            bad.add([Conflict(f"source key {key!r} of {report.submitted_by} is already "
                              f"stored under report {earlier.uid}, with other content",
                              line=draft.line, field="source.key", id=report.id)], draft.raw)
        else:
            bad.add([Conflict("this report is already in the record with different content; "
                              "the record is not rewritten by an import", line=draft.line,
                              id=report.id)], draft.raw)
    added = [r for r, _ in new.values()]
    counts.row_ids += writer.write(added, [d for _, d in new.values()], import_id=import_id)
    counts.added += len(new)
    for party, keys in _keys_by_party(added).items():
        theirs = writer.claims(keys, party=party)
        counts.shared += [SharedKey(r.source.key, r.id, c.report, c.party) for r in added
                          if r.submitted_by == party and r.source.key in theirs
                          for c in theirs[r.source.key]]
    return added


def _learnt(reports: list[Report]) -> list[imports.LearntPlace]:
    """Names of places given with a point that locates them (exactly, or within ~25 km):
    they enrich the gazetteer, at the precision the source gave."""
    learnt = []
    for report in reports:
        place = report.place
        if place.name and place.point and place.precision <= WherePrecision.NEAR:
            key = place_key(place.name)
            if key:
                learnt.append(imports.LearntPlace(
                    key, place.name[:200], place.point.lon, place.point.lat,
                    int(place.precision), place.admin.adm1, place.admin.adm2,
                    place.admin.adm3, report.source.name))
    return learnt
