"""Split and merge from an incident's page, for the accounts that keep the record
(analysts and the secretariat), as the API lets them.

Each form carries the reports the page showed (``seen``): a decision made on a page the
record has moved on from is refused, and the page comes back as the record is now. A
refused form comes back with the fault named beside its field and the choices kept."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ceasefire.domain import words
from ceasefire.domain.parties import Account
from ceasefire.domain.text import check_reason
from ceasefire.errors import CeasefireError, Forbidden, InvalidInput, NotFound
from ceasefire.http.deps import DatabaseDep
from ceasefire.services import incident_edits
from ceasefire.web.csrf import SessionFormChecked
from ceasefire.web.deps import WebAccount
from ceasefire.web.incidents import incident_again, problem
from ceasefire.web.templating import root

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]
FormList = Annotated[list[str] | None, Form()]


@router.post("/incidents/{uid}/split")
def split_page(request: Request, uid: str, _: SessionFormChecked, account: WebAccount,
               database: DatabaseDep, reports: FormList = None, seen: FormList = None,
               reason: FormText = "") -> Response:
    chosen, shown = reports or [], seen or []
    given = {"form": "split", "reports": chosen, "reason": reason}
    try:
        _may_edit(account)
        if not chosen:
            raise InvalidInput("choose the reports that describe a different event",
                               field="reports")
        if shown and set(chosen) >= set(shown):
            raise InvalidInput("leave at least one report in this incident: choose only "
                               "those that describe a different event", field="reports")
        made = incident_edits.split_off(database, uid, chosen, reason=_reason(reason),
                                        username=account.username, seen=shown)
    except Forbidden as exc:
        return problem(request, account, exc)
    except CeasefireError as exc:
        return incident_again(request, account, database, uid, given, exc)
    return RedirectResponse(f"{root(request)}/incidents/{made.incident}?entry={made.entry}"
                            "#edited", status_code=303)


@router.post("/incidents/{uid}/merge")
def merge_page(request: Request, uid: str, _: SessionFormChecked, account: WebAccount,
               database: DatabaseDep, other: FormText = "", nearby: FormText = "",
               seen: FormList = None, reason: FormText = "") -> Response:
    given = {"form": "merge", "other": other, "nearby": nearby, "reason": reason}
    try:
        _may_edit(account)
        target = _other(uid, other.strip().lower(), nearby)
        try:
            made = incident_edits.merge_in(database, uid, target, reason=_reason(reason),
                                           username=account.username, seen=seen or [])
        except NotFound as exc:
            if exc.id != target:
                raise
            raise InvalidInput("the record holds no incident with this id", field="other",
                               id=target) from exc
    except Forbidden as exc:
        return problem(request, account, exc)
    except CeasefireError as exc:
        return incident_again(request, account, database, uid, given, exc)
    return RedirectResponse(f"{root(request)}/incidents/{made.incident}?entry={made.entry}"
                            "#edited", status_code=303)


def _may_edit(account: Account) -> None:
    if not account.role.may_curate_incidents:
        raise Forbidden(f"{words.an_account(account.role)} cannot split or merge incidents")


def _reason(text: str) -> str:
    return check_reason(text, kept_with="decision")


def _other(uid: str, typed: str, picked: str) -> str:
    """The incident to merge: typed by its id, or picked from the nearby ones."""
    if typed and picked and typed != picked:
        raise InvalidInput("you picked a nearby incident and typed another id: keep one",
                           field="other")
    target = typed or picked
    if not target:
        raise InvalidInput("give the id of the incident to merge into this one, or pick a "
                           "nearby one", field="other")
    try:
        target = str(uuid.UUID(target))
    except ValueError:
        raise InvalidInput(f"“{target}” is not an incident id (one looks like {uid})",
                           field="other") from None
    if target == uid:
        raise InvalidInput("that is this incident: give another incident's id",
                           field="other")
    return target
