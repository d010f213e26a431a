"""The reference data every write needs (parties, actors, account ids, agreements),
cached per database and refreshed when it grows.

Parties, actors, aliases, accounts and agreements are only ever added (a scenario load
refuses to rewrite them), agreements change only by amendments (rows added), and an
actor merged stays merged, so their row counts are a version: one cheap query per request
tells whether the cached copy is still the truth.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.domain.actors import ActorDirectory
from ceasefire.domain.agreement import Agreement
from ceasefire.store import parties
from ceasefire.store.agreements import list_agreements
from ceasefire.store.tables import (
    AccountRow,
    ActorAliasRow,
    ActorRow,
    AgreementRow,
    AmendmentRow,
    PartyRow,
)


@dataclass(frozen=True)
class Reference:
    party_ids: dict[str, int]
    actor_ids: dict[str, int]
    account_ids: dict[str, int]
    actors: ActorDirectory
    agreement_ids: dict[str, int]
    agreements: tuple[Agreement, ...]  # oldest first


_VERSION = select(*(select(func.count()).select_from(t).scalar_subquery()
                    for t in (PartyRow, ActorRow, ActorAliasRow, AccountRow, AgreementRow,
                              AmendmentRow)),
                  # merges only ever grow: how many actors were merged is a version too
                  select(func.count(ActorRow.merged_into)).scalar_subquery())
_cache: dict[str, tuple[tuple[int, ...], Reference]] = {}
_lock = threading.Lock()


def reference(session: Session) -> Reference:
    connection = session.connection()  # Core, not the ORM: this runs on every write
    version = tuple(connection.execute(_VERSION).one())
    key = str(id(connection.engine))
    cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    loaded = Reference(
        party_ids=dict(session.execute(select(PartyRow.code, PartyRow.id)).all()),
        actor_ids=dict(session.execute(select(ActorRow.code, ActorRow.id)).all()),
        account_ids=dict(session.execute(select(AccountRow.username, AccountRow.id)).all()),
        actors=ActorDirectory(parties.list_actors(session)),
        agreement_ids=dict(session.execute(select(AgreementRow.code, AgreementRow.id)).all()),
        agreements=tuple(list_agreements(session)),
    )
    with _lock:
        _cache[key] = (version, loaded)
    return loaded
