"""The actor registry as the secretariat keeps it: an actor added, names added to one, and
two entries found to be one armed group merged. Each is one transaction with one signed
ledger entry, refused by name (and nothing written) when it would make a name lead to
two actors.

A merge keeps history: the merged actor's row stays, so the reports that named it keep
naming it as they were signed; its names and code lead to the actor it was merged into
for what comes after (domain/actors.py ActorDirectory). Its status under each agreement
stays its own (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ceasefire.domain import words
from ceasefire.domain.actors import Actor, ActorDirectory, ActorName, ActorStatus, normalise_name
from ceasefire.domain.parties import PartyKind, Role
from ceasefire.domain.text import check_reason, check_text
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.ledger.entries import Entry
from ceasefire.services import ledger
from ceasefire.services.accounts import authenticate_in
from ceasefire.store import agreements, changes, parties
from ceasefire.store import ledger as ledger_store
from ceasefire.store.accounts import find_account
from ceasefire.store.db import Database
from ceasefire.store.reference import reference

ADDED, ALIAS_ADDED, MERGED = "actor.added", "actor.alias_added", "actor.merged"
ALIASES_MAX = 100  # names given at once


@dataclass(frozen=True)
class Done:
    """The actor as stored after the change, and the ledger entry that records it."""

    actor: Actor
    entry: int
    # Other actors with a name spelled like one given: the same group entered twice?
    # Such a spelling no longer finds either of them (ActorDirectory.resolve).
    spelled_like: tuple[str, ...] = ()


# -- who acts ---------------------------------------------------------------------------------

def _secretariat(session: Session, *, party: str | None, token: str | None,
                 username: str | None) -> ledger.Signer:
    """The secretariat acting: an account of its (API token or web login), or the party
    itself (the CLI's --party). Anyone else is refused by role or by party."""
    if token is not None or username is not None:
        account = (authenticate_in(session, token=token) if token is not None
                   else find_account(session, username=str(username)))
        if account is None or not account.active:
            raise NotFound(f"no active account {username!r}", field="account", id=username)
        if account.role is not Role.SECRETARIAT:
            raise Forbidden(f"{words.an_account(account.role)} cannot change the actor "
                            "registry; the secretariat keeps it")
        return ledger.acting_as(session, account)
    if party is None:
        raise InvalidInput("name the party that acts: the secretariat's code", field="party")
    found = parties.get_party(session, code=party)
    if found.kind is not PartyKind.SECRETARIAT:
        raise Forbidden(f"party {party} is {words.with_article(found.kind.value)} party; only "
                        "the secretariat changes the actor registry")
    return ledger.acting(session, party=party)


# -- checks -----------------------------------------------------------------------------------

def _live(session: Session, code: str, *, field: str) -> Actor:
    """A stored actor that was not merged into another."""
    actor = parties.find_actor(session, code=code)
    if actor is None:
        raise NotFound(f"no actor with code {code!r}", field=field, id=code)
    if actor.merged_into is not None:
        raise Conflict(f"actor {code} was merged into {actor.merged_into}: give "
                       f"{actor.merged_into} instead", field=field, id=code)
    return actor


def _free(session: Session, directory: ActorDirectory, code: str,
          names: Sequence[ActorName], *, own: Actor | None, field: str) -> None:
    """Refuse names that would lead to another actor than ``code`` (a name another actor
    holds, after normalisation, or its code), or that ``own`` (the actor as stored) already
    has in the same language. A name held by an actor merged into this one leads here
    already and is no clash."""
    holders = parties.actors_holding(session, normalised=[normalise_name(n.text)
                                                          for n in names])
    had = {(n.lang, normalise_name(n.text)) for n in (own.aliases if own else ())}
    if own is not None:
        had.add(("en", normalise_name(own.name)))
    given: set[tuple[str, str]] = set()
    for name in names:
        key = normalise_name(name.text)
        if not key:  # it would be compared as "", like any other such name
            raise InvalidInput(f"{name.text!r} has no letter or digit to know it by",
                               field=field, id=code)
        if (name.lang, key) in had or (name.lang, key) in given:
            raise Conflict(f"{name.text!r} ({name.lang}) is already a name of {code}",
                           field=field, id=code)
        given.add((name.lang, key))
        others = [h for h in holders.get(key, []) if h != code
                  and directory.current(h) != code]
        if name.text in directory and directory.current(name.text) != code:
            others.append(name.text)
        if others:
            raise Conflict(f"{name.text!r} already leads to actor {_said(directory, others[0])}"
                           "; a name leads to one actor", field=field, id=name.text)


def _said(directory: ActorDirectory, code: str) -> str:
    if code not in directory:
        return code
    merged = directory.get(code).merged_into
    return code if merged is None else f"{code} (merged into {directory.current(code)})"


def _spelled_like(session: Session, code: str, names: Sequence[str]) -> tuple[str, ...]:
    directory = reference(session).actors
    found = {c for n in names for c in directory.spelled_like(n)}
    return tuple(sorted(found - {directory.current(code)}))


def _names_json(names: Sequence[ActorName]) -> list[dict[str, str]]:
    return [{"text": n.text, "lang": n.lang} for n in names]


# -- changes within a caller's transaction ----------------------------------------------------

def add_actor_in(session: Session, signer: ledger.Signer, actor: Actor) -> Entry:
    if actor.merged_into is not None:
        raise InvalidInput("a new actor is not merged into another: add it, then merge it",
                           field="merged_into", id=actor.code)
    if parties.find_actor(session, code=actor.code) is not None:
        raise Conflict(f"actor code {actor.code!r} is taken", field="code", id=actor.code)
    directory = reference(session).actors
    _free(session, directory, actor.code, [ActorName(actor.name, "en"), *actor.aliases],
          own=None, field="aliases")
    parties.add_actor(session, actor=actor)
    return ledger.append(session, signer, ADDED, {
        "actor": actor.code, "name": actor.name, "side": actor.side,
        "is_state": actor.is_state, "aliases": _names_json(actor.aliases)})


def add_aliases_in(session: Session, signer: ledger.Signer, code: str,
                   names: Sequence[ActorName]) -> Entry | None:
    """Add names to a stored actor, with an entry of its own (the entry takes only this
    change: what the caller's transaction wrote before waits for the caller's entry).
    None when no name is given. For a scenario loaded again with more names, too."""
    if not names:
        return None
    if len(names) > ALIASES_MAX:
        raise InvalidInput(f"at most {ALIASES_MAX} names at once, not {len(names)}",
                           field="aliases", id=code)
    actor = _live(session, code, field="actor")
    _free(session, reference(session).actors, code, names, own=actor, field="aliases")
    earlier = changes.take(session)
    parties.add_aliases(session, code=code, names=names)
    entry = ledger.append(session, signer, ALIAS_ADDED,
                          {"actor": code, "aliases": _names_json(names)})
    changes.put_back(session, earlier)
    return entry


def merge_in(session: Session, signer: ledger.Signer, code: str, *, into: str,
             reason: str) -> Entry:
    reason = _reason(reason)
    if code == into:
        raise InvalidInput(f"actor {code} cannot be merged into itself", field="into", id=into)
    _live(session, code, field="actor")
    _live(session, into, field="into")
    parties.set_merged_into(session, code=code, into=into)
    return ledger.append(session, signer, MERGED,
                         {"actor": code, "into": into, "reason": reason})


def _reason(text: str) -> str:
    return check_reason(check_text(text, field="reason"), kept_with="merge")


# -- entry points: one transaction each -------------------------------------------------------

def add_actor(db: Database, actor: Actor, *, party: str | None = None,
              token: str | None = None, username: str | None = None) -> Done:
    """Add an actor to the registry (the secretariat: --party, an API token or a login)."""
    with db.session(write=True) as session:
        signer = _secretariat(session, party=party, token=token, username=username)
        entry = add_actor_in(session, signer, actor)
        return Done(parties.get_actor(session, code=actor.code), entry.seq,
                    _spelled_like(session, actor.code, actor.all_names()))


def add_alias(db: Database, code: str, names: Sequence[ActorName], *,
              party: str | None = None, token: str | None = None,
              username: str | None = None) -> Done:
    with db.session(write=True) as session:
        signer = _secretariat(session, party=party, token=token, username=username)
        if not names:
            raise InvalidInput("give a name to add", field="aliases", id=code)
        entry = add_aliases_in(session, signer, code, names)
        assert entry is not None
        return Done(parties.get_actor(session, code=code), entry.seq,
                    _spelled_like(session, code, [n.text for n in names]))


def merge(db: Database, code: str, *, into: str, reason: str, party: str | None = None,
          token: str | None = None, username: str | None = None) -> Done:
    """Merge actor ``code`` into ``into``: one armed group the registry held twice."""
    with db.session(write=True) as session:
        signer = _secretariat(session, party=party, token=token, username=username)
        entry = merge_in(session, signer, code, into=into, reason=reason)
        return Done(parties.get_actor(session, code=code), entry.seq)


# -- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActorView:
    actor: Actor
    surviving: str  # the actor it stands for now: itself unless merged
    statuses: list[tuple[str, str, ActorStatus]]  # agreement code, title, status now
    merged_here: list[str]  # the actors merged into it


def listing(db: Database) -> list[Actor]:
    with db.session() as session:
        return parties.list_actors(session)


def show(db: Database, code: str, *, now: datetime | None = None) -> ActorView:
    now = now or datetime.now(UTC)
    with db.session() as session:
        actor = parties.get_actor(session, code=code)
        directory = reference(session).actors
        statuses = [(a.code, a.title, a.status_of(code, at=now))
                    for a in agreements.list_agreements(session)]
    return ActorView(actor, directory.current(code), statuses,
                     sorted(a.code for a in directory if a.merged_into == code))


def change_recorded(db: Database, seq: int) -> Entry | None:
    """Ledger entry ``seq`` if it records a change of the registry, else None: the page's
    confirmation says only what the ledger says."""
    with db.session() as session:
        entry = ledger_store.entry(session, seq)
    return entry if entry is not None and entry.action in (ADDED, ALIAS_ADDED, MERGED) else None
