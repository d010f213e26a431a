"""What the pages read of the record: the incidents of a selection with their status now,
a page at a time, and counted by day, governorate, reporting party and status.

`scope` turns what a reader asked for (codes, days) into a store `Scope`, refusing what
the record does not know by name; the counts are summed here, so the dashboard and a
bulletin for the same period agree (tests/test_overview.py holds them together).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.domain.agreement import Agreement, Position
from ceasefire.domain.bulletin import STATUSES
from ceasefire.domain.status import Status, status_from_verdicts
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.verdict import Verdict
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import AdminArea, syria
from ceasefire.store import overview as store
from ceasefire.store import overview_cells, overview_days
from ceasefire.store.incidents import Summary
from ceasefire.store.parties import list_parties
from ceasefire.store.reference import reference


@dataclass(frozen=True)
class Selection:
    """What a reader asks to see: an agreement (None: the only one, or the first), the
    days [since, until), an admin area, a violation type, a reporting party, statuses,
    and text to search for (`Search`)."""

    agreement: str | None = None
    since: date | None = None
    until: date | None = None  # the first day not included
    adm: str | None = None
    violation: str | None = None
    party: str | None = None
    statuses: tuple[str, ...] = ()
    q: str | None = None

    def __post_init__(self) -> None:
        syria().require(self.adm)
        search(self.q)


SEARCH_LENGTH, SEARCH_WORDS = 200, 8


@dataclass(frozen=True)
class Search:
    """How a search is read: text that names admin areas (in English or Arabic, by any
    usual transliteration) finds the incidents in them; other text finds the incidents
    with a report whose place name or narrative holds every word, in any case."""

    areas: tuple[AdminArea, ...] = ()
    words: tuple[str, ...] = ()


def search(q: str | None) -> Search:
    if not q:
        return Search()
    if len(q) > SEARCH_LENGTH:
        raise InvalidInput(f"at most {SEARCH_LENGTH} characters to search for ({len(q)} "
                           "given)", field="q")
    areas = syria().named(q)
    # An area inside another named too adds nothing: Idleb district is in Idleb.
    outer = tuple(a for a in areas if not any(
        a.pcode != b.pcode and a.pcode.startswith(b.pcode) for b in areas))
    if outer:
        return Search(areas=outer)
    words = tuple(dict.fromkeys(q.lower().split()))
    if len(words) > SEARCH_WORDS:
        raise InvalidInput(f"at most {SEARCH_WORDS} words to search for ({len(words)} "
                           "given)", field="q")
    return Search(words=words)


def agreement_of(session: Session, code: str | None) -> Agreement:
    agreements = {a.code: a for a in reference(session).agreements}
    if code is None:
        if not agreements:
            raise InvalidInput("the record has no agreement yet", field="agreement")
        return next(iter(agreements.values()))  # the oldest: the regime the record began with
    if code not in agreements:
        raise InvalidInput(f"no agreement {code!r}; one of {', '.join(agreements)}",
                           field="agreement", id=code)
    return agreements[code]


def lapsed(session: Session, agreement: Agreement, agreement_id: int, *,
           now: datetime) -> store.Lapsed:
    """The silence rule, worked out once per request: the status every unanswered overdue
    incident takes, and that of each overdue one some guarantor answered."""
    cutoff = now - agreement.response_deadline
    silent = status_from_verdicts(agreement, [], deadline_passed=True)
    answered = {
        assessment_id: status_from_verdicts(
            agreement, [Verdict(str(assessment_id), party, Position(position), at)
                        for party, position, at in cast], deadline_passed=True).value
        for assessment_id, cast in store.lapsed_answered(session, agreement_id,
                                                         cutoff).items()}
    return store.Lapsed(cutoff, silent.value, answered, agreement.response_deadline)


def _at(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def scope(session: Session, selection: Selection, *, now: datetime,
          checked: bool = False) -> store.Scope:
    """The store's scope of a selection; `checked`: only rows equal to the signed records
    they mirror (what the public reads)."""
    known = reference(session)
    agreement = agreement_of(session, selection.agreement)
    agreement_id = known.agreement_ids[agreement.code]
    s = selection
    if s.since is not None and s.until is not None and s.until <= s.since:
        raise InvalidInput(f"the period ends ({s.until}) before it starts ({s.since})",
                           field="to")
    if s.party is not None and s.party not in known.party_ids:
        raise InvalidInput(f"no party {s.party!r}", field="party", id=s.party)
    if s.violation is not None and s.violation not in {v.value for v in ViolationType}:
        raise InvalidInput(f"no violation type {s.violation!r}", field="violation",
                           id=s.violation)
    for status in s.statuses:
        if status not in {x.value for x in Status}:
            raise InvalidInput(f"no status {status!r}; one of "
                               f"{', '.join(x.value for x in STATUSES)}", field="status",
                               id=status)
    searched = search(s.q)
    areas, words = tuple(a.pcode for a in searched.areas), searched.words
    adm = s.adm
    if adm is None and len(areas) == 1:  # one area searched for: as if chosen
        adm, areas = areas[0], ()
    return store.Scope(agreement_id, lapsed(session, agreement, agreement_id, now=now),
                       since=_at(s.since), until=_at(s.until), adm=adm,
                       violation=s.violation,
                       party_id=known.party_ids[s.party] if s.party else None,
                       statuses=tuple(s.statuses), areas=areas, words=words,
                       checked=checked)


def incident_ids(session: Session, selection: Selection, *, now: datetime) -> Any:
    """The selection's incidents, as a subquery of their ids (for other lists to filter
    by, such as the reports of incidents of one status)."""
    return store.incident_ids(scope(session, selection, now=now))


@dataclass(frozen=True)
class Counts:
    """Incidents by one key and status, with the totals a chart needs."""

    rows: dict[object, dict[str, int]]  # key -> status -> incidents

    @classmethod
    def of(cls, counts: Iterable[store.Count]) -> Counts:
        rows: dict[object, dict[str, int]] = {}
        for c in counts:
            cell = rows.setdefault(c.key, {})
            cell[c.status] = cell.get(c.status, 0) + c.incidents
        return cls(rows)

    def items(self) -> list[tuple[object, dict[str, int]]]:
        """By key, the unknown (None) last."""
        return sorted(self.rows.items(), key=lambda kv: (kv[0] is None, str(kv[0])))

    def total(self, key: object) -> int:
        return sum(self.rows.get(key, {}).values())

    def status_totals(self) -> dict[str, int]:
        totals = {s.value: 0 for s in STATUSES}
        for cell in self.rows.values():
            for status, n in cell.items():
                totals[status] = totals.get(status, 0) + n
        return totals

    @property
    def most(self) -> int:
        return max((sum(cell.values()) for cell in self.rows.values()), default=0)


def _by_days(found: store.Scope) -> bool:
    """Whether the counts by day (`overview_days`) count the scope: by governorate or
    coarser, of every violation type, without a search."""
    return (found.adm is None or len(found.adm) == 4) and found.violation is None and not (
        found.areas or found.words) and (
        found.party_id is None or found.party_id < store.PARTY_BITS)


def _from_days(session: Session, found: store.Scope, parties: dict[str, int], *,
               with_parties: bool = True,
               ) -> tuple[list[store.Count], list[store.Count], list[store.Count]]:
    """The dashboard's counts (by day, by governorate, by party unless not wanted) from
    the counts by day (`overview_days`), with the status now applied to each; the few
    overdue incidents some guarantor answered are looked up one by one."""
    lapsed, wanted = found.lapsed, set(found.statuses)
    cells = partial(overview_days.cells, session, found.agreement_id, cutoff=lapsed.cutoff,
                    silent=lapsed.silent, since=found.since.date() if found.since else None,
                    until=found.until.date() if found.until else None, adm1=found.adm,
                    party_id=found.party_id)
    places = cells(by="place")
    masks = cells(by="parties") if with_parties else []
    counted = [c for c in places + masks if c.status != overview_days.RECHECK]
    if any(c.status == overview_days.RECHECK for c in places):
        unfiltered = replace(found, statuses=())
        for day, adm1, mask, assessment in store.overdue_answered(session, unfiltered):
            status = lapsed.answered[assessment]
            counted += [overview_days.DayCell(day, adm1, status, 0, 1),
                        overview_days.DayCell(None, None, status, mask, 1)]
    counted = [c for c in counted if not wanted or c.status in wanted]
    by_day = [store.Count(c.day, c.status, c.incidents) for c in counted if c.day]
    by_place = [store.Count(c.adm1, c.status, c.incidents) for c in counted if c.day]
    by_party = [store.Count(code, c.status, c.incidents) for c in counted if c.parties
                for code, pid in parties.items()
                if pid < store.PARTY_BITS and c.parties >> pid & 1]
    return by_day, by_place, by_party


@dataclass(frozen=True)
class Dashboard:
    agreement: str
    by_day: Counts
    by_governorate: Counts
    by_party: Counts

    @property
    def by_status(self) -> dict[str, int]:
        return self.by_governorate.status_totals()  # every incident has one governorate row

    @property
    def incidents(self) -> int:
        return sum(self.by_status.values())


def dashboard(session: Session, selection: Selection, *, now: datetime) -> Dashboard:
    found = scope(session, selection, now=now)
    code = agreement_of(session, selection.agreement).code
    parties = reference(session).party_ids
    if _by_days(found):
        by_day, by_place, by_party = _from_days(session, found, parties)
    else:
        cells = store.tallies(session, found, parties)
        by_day = [store.Count(c.day, c.status, c.incidents) for c in cells]
        by_place = [store.Count(c.adm1, c.status, c.incidents) for c in cells]
        by_party = [store.Count(p, c.status, n) for c in cells for p, n in c.by_party.items()]
    if rest := [pid for pid in parties.values() if pid >= store.PARTY_BITS]:
        by_party += store.by_party(session, found, rest)
    return Dashboard(code, Counts.of(by_day), Counts.of(by_place), Counts.of(by_party))


# -- what the pages read besides the counts ---------------------------------------------------

# How the incident list may be ordered (store.ORDERS), and the types of the key a cursor
# carries in each; the public list has no deadlines to order by.
ORDERS = store.ORDERS
PUBLIC_ORDERS = ("newest", "deaths")


def page(session: Session, found: store.Scope, *, limit: int, order: str = "newest",
         after: tuple[Any, ...] | None = None) -> list[store.Listed]:
    """A page of the scope's incidents in `order` (newest event first by default), after
    the key of the last row seen; each row carries its own key."""
    if order not in ORDERS:
        raise InvalidInput(f"no order {order!r}; one of {', '.join(ORDERS)}", field="sort",
                           id=order)
    return store.page(session, found, limit=limit, order=order, after=after)


def count(session: Session, found: store.Scope) -> int:
    """How many incidents the scope holds, summed by status in the database: from the
    counts by map cell when they count it (all time: a few thousand rows), else from
    the counts by day (a month is a few hundred rows), else counted on the overview.
    What the public reads is counted on rows checked against the records."""
    lapsed, wanted = found.lapsed, set(found.statuses)
    if overview_cells.serves(found):
        totals = [(c.status, c.incidents)
                  for c in overview_cells.cells(session, found, by_status_only=True)]
    elif not found.checked and _by_days(found):
        totals = [(c.status, c.incidents) for c in overview_days.cells(
            session, found.agreement_id, by="status", cutoff=lapsed.cutoff,
            silent=lapsed.silent, since=found.since.date() if found.since else None,
            until=found.until.date() if found.until else None, adm1=found.adm,
            party_id=found.party_id)]
    else:
        return store.count(session, found)
    counted = sum(n for status, n in totals
                  if status != overview_days.RECHECK and (not wanted or status in wanted))
    if any(status == overview_days.RECHECK for status, _ in totals):
        # The few overdue incidents some guarantor answered: their status one by one.
        statuses = [lapsed.answered[assessment] for *_, assessment
                    in store.overdue_answered(session, replace(found, statuses=()))]
        counted += sum(1 for status in statuses if not wanted or status in wanted)
    return counted


def latest_start(session: Session) -> datetime | None:
    """When the newest incident began: where the record's days end."""
    return store.latest_start(session)


def reporting_parties(session: Session, uids: list[str]) -> dict[str, tuple[str, ...]]:
    """The parties whose reports each incident holds (not for the public: security.md)."""
    return store.reporting_parties(session, uids)


def summaries(session: Session, uids: list[str]) -> dict[str, Summary]:
    """When, where and what of each of these incidents, by id."""
    return store.incidents_by_uid(session, uids)


def choosable(session: Session) -> tuple[list[str], list[tuple[str, str]]]:
    """What a selection may name: the agreements' codes, oldest first, and the parties
    (code, name)."""
    return (list(reference(session).agreement_ids),
            sorted((p.code, p.name) for p in list_parties(session)))
