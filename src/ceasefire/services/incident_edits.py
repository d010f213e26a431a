"""Splits and merges made from an incident's page: by the logged-in account, on the
reports the page showed; read back for the page's confirmation from the ledger entry
that records them; and the incidents near one (the same days, the same governorate),
the likeliest to be merged with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from ceasefire.domain.parties import Account
from ceasefire.errors import NotFound
from ceasefire.ledger.entries import Entry
from ceasefire.services import correlation
from ceasefire.store import ledger as ledger_store
from ceasefire.store.accounts import find_account
from ceasefire.store.db import Database
from ceasefire.store.incidents import IncidentFilter, Summary

NEARBY = 20  # incidents offered for a merge; beyond these, the incident list searches


class Made(NamedTuple):
    """Where the page goes after a split or merge, and the entry that records it."""

    incident: str  # split: the incident the other reports stay in; merge: the merged one
    entry: int


def _account(session: Session, username: str) -> Account:
    account = find_account(session, username=username)
    if account is None or not account.active:
        raise NotFound(f"no active account {username!r}", field="account", id=username)
    return account


def split_off(db: Database, uid: str, reports: Sequence[str], *, reason: str, username: str,
              seen: Sequence[str]) -> Made:
    """Move ``reports`` out of incident ``uid``, whose reports the page showed as ``seen``."""
    with db.session(write=True) as session:
        by = correlation.decided_by(session, _account(session, username))
        done = correlation.split_incident(session, uid, reports, reason=reason, by=by,
                                          seen=seen)
        moved_to = set(correlation.incidents_of_reports(session, reports).values())
        kept = [i for i in done.incidents if i not in moved_to]
        return Made(kept[0] if kept else uid, done.entry.seq)


def merge_in(db: Database, uid: str, other: str, *, reason: str, username: str,
             seen: Sequence[str]) -> Made:
    """Merge incident ``other`` with ``uid``, whose reports the page showed as ``seen``."""
    with db.session(write=True) as session:
        by = correlation.decided_by(session, _account(session, username))
        done = correlation.merge_incidents(session, [uid, other], reason=reason, by=by,
                                           seen=seen)
        return Made(done.incidents[0], done.entry.seq)


@dataclass(frozen=True)
class Edit:
    """A split or merge as its ledger entry records it, seen from one incident."""

    entry: Entry
    kind: str  # "split" or "merge"
    reason: str
    reports: list[str]  # split: the reports moved
    moved_to: list[str]  # split: the incidents that hold them now
    merged: list[str]  # merge: the incidents merged into this one


def edit_recorded(db: Database, seq: int, uid: str) -> Edit | None:
    """The split or merge that ledger entry ``seq`` records, if it made incident ``uid``;
    else None. The page's confirmation says only what the ledger says, so a link cannot
    make it claim a split or merge that did not happen."""
    with db.session() as session:
        entry = ledger_store.entry(session, seq)
        if entry is None:
            return None
        said = entry.payload
        if entry.action == "incident.split" and uid in said["incidents"]:
            held = correlation.incidents_of_reports(session, said["reports"])
            return Edit(entry, "split", said["reason"], list(said["reports"]),
                        sorted(set(held.values())), [])
        if entry.action == "incident.merged" and uid == said["into"]:
            return Edit(entry, "merge", said["reason"], [], [],
                        [i for i in said["incidents"] if i != uid])
    return None


def nearby(db: Database, summary: Summary, *, limit: int = NEARBY) -> list[Summary]:
    """Other incidents on the same UTC days in the same governorate, newest first."""
    if summary.adm1 is None:
        return []
    first, last = summary.earliest.astimezone(UTC).date(), summary.latest.astimezone(UTC).date()
    where = IncidentFilter(since=datetime.combine(first, time(), UTC),
                           until=datetime.combine(last + timedelta(days=1), time(), UTC),
                           adm=summary.adm1)
    with db.session() as session:
        found = correlation.list_incidents(session, where, limit=limit + 1)
    return [s for s in found if s.uid != summary.uid][:limit]
