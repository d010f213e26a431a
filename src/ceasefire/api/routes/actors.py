"""The actor registry's changes, for the secretariat: add an actor, add a name to one,
merge one into another. Reading the registry is in routes/reference.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ceasefire.api.schemas import ActorOut
from ceasefire.domain.actors import CODE_PATTERN, Actor, ActorName
from ceasefire.domain.text import NAME_MAX, REASON_MAX
from ceasefire.errors import InvalidInput
from ceasefire.http.deps import Credentials, DatabaseDep, require_token
from ceasefire.services import actors
from ceasefire.services.actors import ALIASES_MAX

router = APIRouter(prefix="/api/v1/actors", tags=["reference"])

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=63)]
PathCode = Annotated[str, Path(pattern=CODE_PATTERN, max_length=63, description="e.g. isil")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]


# Strict: the document says is_state is a boolean, so 0 is refused, not read as false.
class AliasIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    text: Name
    lang: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")] = Field(
        description="ISO 639-1 or -3 code: en, ar, ru, tr")


class ActorIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    code: Code
    name: Name = Field(description="the name the mechanism uses (English)")
    side: Code | None = Field(default=None, description="who it fights alongside, e.g. "
                              "opposition")
    is_state: bool = False
    aliases: list[AliasIn] = Field(default_factory=list, max_length=ALIASES_MAX)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    into: Code = Field(description="the actor that stays")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=REASON_MAX)]


T = TypeVar("T")


def _checked(field: str, make: Callable[[], T]) -> T:
    """The domain's object, its refusal naming the field as the body spells it."""
    try:
        return make()
    except InvalidInput as exc:
        exc.field = ".".join(p for p in (field, exc.field) if p) or None
        raise


def _name(given: AliasIn, field: str) -> ActorName:
    return _checked(field, lambda: ActorName(given.text, given.lang))


def _actor(given: ActorIn) -> Actor:
    names = tuple(_name(a, f"aliases[{i}]") for i, a in enumerate(given.aliases))
    return Actor(code=given.code, name=given.name, aliases=names, is_state=given.is_state,
                 side=given.side)


@router.post("", response_model=ActorOut, status_code=201)
async def add_actor(given: ActorIn, database: DatabaseDep,
                    credentials: Credentials) -> ActorOut:
    """Add an armed actor to the registry, with its names (the secretariat)."""
    token = require_token(credentials)
    done = await run_in_threadpool(actors.add_actor, database, _actor(given), token=token)
    return ActorOut.of(done.actor)


@router.post("/{code}/aliases", response_model=ActorOut, status_code=201)
async def add_alias(code: PathCode, given: AliasIn, database: DatabaseDep,
                    credentials: Credentials) -> ActorOut:
    """Add a name an actor is known by (the secretariat). A name that leads to another
    actor is refused (409)."""
    token = require_token(credentials)
    name = _name(given, "")
    done = await run_in_threadpool(actors.add_alias, database, code, [name], token=token)
    return ActorOut.of(done.actor)


@router.post("/{code}/merge", response_model=ActorOut)
async def merge_actor(code: PathCode, given: MergeIn, database: DatabaseDep,
                      credentials: Credentials) -> ActorOut:
    """Merge actor `code` into `into`: one armed group the registry held twice (the
    secretariat). Reports that named it keep naming it; its names lead to `into`."""
    token = require_token(credentials)
    done = await run_in_threadpool(actors.merge, database, code, into=given.into,
                                   reason=given.reason, token=token)
    return ActorOut.of(done.actor)
