"""Parties and actors: rows in, domain objects out."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ceasefire.domain.actors import Actor, ActorName, normalise_name
from ceasefire.domain.parties import Party, PartyKind
from ceasefire.store import changes
from ceasefire.store.rows import one_by, required
from ceasefire.store.tables import ActorAliasRow, ActorRow, PartyRow


def _party(row: PartyRow) -> Party:
    return Party(code=row.code, name=row.name, kind=PartyKind(row.kind),
                 public_key=row.public_key)


def party_row(session: Session, code: str) -> PartyRow:
    return required(one_by(session, PartyRow, PartyRow.code, code),
                    f"no party with code {code!r}", field="party", key=code)


def find_party(session: Session, *, code: str) -> Party | None:
    row = one_by(session, PartyRow, PartyRow.code, code)
    return None if row is None else _party(row)


def get_party(session: Session, *, code: str) -> Party:
    return _party(party_row(session, code))


def list_parties(session: Session) -> list[Party]:
    return [_party(r) for r in session.scalars(select(PartyRow).order_by(PartyRow.code))]


def set_public_key(session: Session, *, code: str, public_key: bytes | None) -> None:
    party_row(session, code).public_key = public_key
    session.flush()
    changes.touch(session, "party", [code])


def add_party(session: Session, *, party: Party) -> None:
    session.add(PartyRow(code=party.code, name=party.name, kind=party.kind.value,
                         public_key=party.public_key))
    session.flush()
    changes.touch(session, "party", [party.code])


def _actor(row: ActorRow) -> Actor:
    return Actor(code=row.code, name=row.name, is_state=row.is_state, side=row.side,
                 aliases=tuple(ActorName(a.text, a.lang) for a in row.aliases
                               if not a.is_primary), merged_into=row.merged_into)


def actor_row(session: Session, code: str) -> ActorRow:
    return required(one_by(session, ActorRow, ActorRow.code, code, selectinload(ActorRow.aliases)),
                    f"no actor with code {code!r}", field="actor", key=code)


def find_actor(session: Session, *, code: str) -> Actor | None:
    row = one_by(session, ActorRow, ActorRow.code, code, selectinload(ActorRow.aliases))
    return None if row is None else _actor(row)


def get_actor(session: Session, *, code: str) -> Actor:
    return _actor(actor_row(session, code))


def list_actors(session: Session) -> list[Actor]:
    rows = session.scalars(select(ActorRow).options(selectinload(ActorRow.aliases))
                           .order_by(ActorRow.code))
    return [_actor(r) for r in rows]


def actors_named(session: Session, *, name: str) -> list[Actor]:
    """Actors whose name or any alias matches ``name`` after normalisation."""
    wanted = normalise_name(name)
    rows = session.scalars(
        select(ActorRow).where(ActorRow.id.in_(
            select(ActorAliasRow.actor_id).where(ActorAliasRow.normalised == wanted)))
        .options(selectinload(ActorRow.aliases)).order_by(ActorRow.code))
    return [_actor(r) for r in rows]


def _alias_row(name: ActorName, *, primary: bool = False) -> ActorAliasRow:
    return ActorAliasRow(text=name.text, lang=name.lang, normalised=normalise_name(name.text),
                         is_primary=primary)


def add_actor(session: Session, *, actor: Actor) -> None:
    # The primary name is stored among the aliases too, so one index answers every look-up.
    aliases = [_alias_row(ActorName(actor.name, "en"), primary=True),
               *(_alias_row(a) for a in actor.aliases)]
    session.add(ActorRow(code=actor.code, name=actor.name, is_state=actor.is_state,
                         side=actor.side, merged_into=actor.merged_into, aliases=aliases))
    session.flush()
    changes.touch(session, "actor", [actor.code])


def add_aliases(session: Session, *, code: str, names: Sequence[ActorName]) -> None:
    """More names of a stored actor (the caller has checked that no actor holds them)."""
    row = actor_row(session, code)  # held: the session keeps rows only weakly
    row.aliases.extend(_alias_row(n) for n in names)
    session.flush()
    changes.touch(session, "actor", [code])


def set_merged_into(session: Session, *, code: str, into: str) -> None:
    row = actor_row(session, code)
    row.merged_into = into
    session.flush()
    changes.touch(session, "actor", [code])


def actors_holding(session: Session, *, normalised: Collection[str]) -> dict[str, list[str]]:
    """The codes of the actors that hold each of these normalised names (name or alias)."""
    found: dict[str, list[str]] = {}
    rows = session.execute(
        select(ActorAliasRow.normalised, ActorRow.code)
        .join(ActorRow, ActorRow.id == ActorAliasRow.actor_id)
        .where(ActorAliasRow.normalised.in_(sorted(set(normalised))))
        .order_by(ActorRow.code))
    for name, code in rows:
        if code not in found.setdefault(name, []):
            found[name].append(code)
    return found
