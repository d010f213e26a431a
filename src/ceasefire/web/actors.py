"""The actor registry's page: every actor with its names, for any account; for the
secretariat, forms to add an actor, add a name to one, and merge two that are one group.

A refused form comes back with its fault named and what was typed kept; a done one leads
back to the page, whose confirmation is read from the ledger entry that records it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ceasefire.domain import words
from ceasefire.domain.actors import Actor, ActorName
from ceasefire.domain.parties import Account, Role
from ceasefire.errors import CeasefireError, Forbidden, InvalidInput
from ceasefire.http.deps import DatabaseDep
from ceasefire.services import actors
from ceasefire.web.csrf import SessionFormChecked
from ceasefire.web.deps import WebAccount
from ceasefire.web.templating import render, root

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]
ALIAS_LINES_MAX = actors.ALIASES_MAX


def _page(request: Request, account: Account, database: DatabaseDep, *,
          given: dict[str, Any] | None = None, error: CeasefireError | None = None,
          recorded: Any = None) -> Response:
    listed = sorted(actors.listing(database), key=lambda a: a.name.casefold())
    return render(request, "actors.html", {
        "account": account, "actors": listed,
        "live": [a for a in listed if a.merged_into is None],
        "by_code": {a.code: a for a in listed},
        "sides": sorted({a.side for a in listed if a.side}),
        "may_edit": account.role is Role.SECRETARIAT,
        "given": given or {}, "error": error, "recorded": recorded},
        status_code=error.http_status if error else 200)


@router.get("/actors")
def actors_page(request: Request, account: WebAccount, database: DatabaseDep,
                entry: str = "") -> Response:
    recorded = (actors.change_recorded(database, int(entry))
                if entry.isdigit() and len(entry) <= 12 else None)
    return _page(request, account, database, recorded=recorded)


def _may_edit(account: Account) -> None:
    if account.role is not Role.SECRETARIAT:
        raise Forbidden(f"{words.an_account(account.role)} cannot change the actor "
                        "registry; the secretariat keeps it")


def _refused(request: Request, account: Account, exc: Forbidden) -> Response:
    return render(request, "forbidden.html", {"account": account, "reason": str(exc)},
                  status_code=403)


def _done(request: Request, done: actors.Done) -> Response:
    return RedirectResponse(f"{root(request)}/actors?entry={done.entry}#recorded",
                            status_code=303)


def _aliases(text: str) -> tuple[ActorName, ...]:
    """Other names, one a line as LANG:TEXT; a line without LANG: is English. A word of
    letters before the colon is read as the language, and refused if it is none."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > ALIAS_LINES_MAX:
        raise InvalidInput(f"at most {ALIAS_LINES_MAX} names at once, not {len(lines)}",
                           field="aliases")
    names = []
    for n, line in enumerate(lines, start=1):
        lang, colon, rest = line.partition(":")
        if not colon or not lang.strip().isascii() or not lang.strip().isalpha():
            lang, rest = "en", line  # a name with a colon in it, or none
        try:
            names.append(ActorName(rest.strip(), lang.strip()))
        except InvalidInput as exc:
            raise InvalidInput(f"line {n}: {exc.message}", field="aliases") from None
    return tuple(names)


@router.post("/actors")
def add_actor(request: Request, _: SessionFormChecked, account: WebAccount,
              database: DatabaseDep, code: FormText = "", name: FormText = "",
              side: FormText = "", is_state: FormText = "", aliases: FormText = "",
              ) -> Response:
    given = {"form": "add", "code": code, "name": name, "side": side, "is_state": is_state,
             "aliases": aliases}
    try:
        _may_edit(account)
        actor = Actor(code=code.strip(), name=name.strip(), aliases=_aliases(aliases),
                      is_state=bool(is_state), side=side.strip() or None)
        done = actors.add_actor(database, actor, username=account.username)
    except Forbidden as exc:
        return _refused(request, account, exc)
    except CeasefireError as exc:
        return _page(request, account, database, given=given, error=exc)
    return _done(request, done)


@router.post("/actors/alias")
def add_alias(request: Request, _: SessionFormChecked, account: WebAccount,
              database: DatabaseDep, actor: FormText = "", text: FormText = "",
              lang: FormText = "en") -> Response:
    given = {"form": "alias", "actor": actor, "text": text, "lang": lang}
    try:
        _may_edit(account)
        if not actor:
            raise InvalidInput("choose the actor the name belongs to", field="actor")
        alias = ActorName(text.strip(), lang.strip())
        done = actors.add_alias(database, actor, [alias], username=account.username)
    except Forbidden as exc:
        return _refused(request, account, exc)
    except CeasefireError as exc:
        return _page(request, account, database, given=given, error=exc)
    return _done(request, done)


@router.post("/actors/merge")
def merge(request: Request, _: SessionFormChecked, account: WebAccount,
          database: DatabaseDep, actor: FormText = "", into: FormText = "",
          reason: FormText = "") -> Response:
    given = {"form": "merge", "actor": actor, "into": into, "reason": reason}
    try:
        _may_edit(account)
        for field, value in (("actor", actor), ("into", into)):
            if not value:
                raise InvalidInput("choose an actor", field=field)
        done = actors.merge(database, actor, into=into, reason=reason,
                            username=account.username)
    except Forbidden as exc:
        return _refused(request, account, exc)
    except CeasefireError as exc:
        return _page(request, account, database, given=given, error=exc)
    return _done(request, done)
