"""The agreements' terms as they stand and how they came to be: every zone with its
period, every actor's status over time, every amendment with who made it and why, and
the proposals waiting for the guarantors. The secretariat amends here, or the guarantors'
officers propose, consent and object, as each agreement says; everyone logged in reads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ceasefire.domain.actors import ActorStatus
from ceasefire.domain.agreement import Agreement, AmendedBy
from ceasefire.domain.amendment import Change, amendment_of
from ceasefire.domain.parties import Account, Role
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.errors import CeasefireError, Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.http.deps import DatabaseDep
from ceasefire.services import amendments, proposals
from ceasefire.services.reference import actors as all_actors
from ceasefire.web.csrf import SessionFormChecked
from ceasefire.web.deps import WebAccount
from ceasefire.web.templating import render, root

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]
_FIELDS = ("change", "effective", "reason", "zone", "name", "area", "actor", "status")


def _page(request: Request, account: Account, database: DatabaseDep, *,
          values: dict[str, Any] | None = None, error: str | None = None,
          error_field: str | None = None, done: str | None = None,
          status_code: int = 200) -> Response:
    standings = proposals.every_agreement(database)
    with database.session() as session:
        actors = all_actors(session)
    return render(request, "agreements.html", {
        "account": account, "standings": standings,
        "may_amend": {s.agreement.code: _may_amend(account, s.agreement) for s in standings},
        "may_propose": {s.agreement.code: _may_propose(account, s.agreement)
                        for s in standings},
        "may_answer": {s.agreement.code: _may_answer(account, s.agreement)
                       for s in standings},
        "changes": list(Change), "statuses": list(ActorStatus), "acts": list(ViolationType),
        "actors": sorted(actors, key=lambda a: a.name.casefold()),
        "values": values or {"acts": []}, "error": error, "error_field": error_field,
        "done": done}, status_code=status_code)


def _may_amend(account: Account, agreement: Agreement) -> bool:
    return (account.role is Role.SECRETARIAT
            and agreement.amended_by is AmendedBy.SECRETARIAT)


def _may_answer(account: Account, agreement: Agreement) -> bool:
    return (agreement.amended_by is AmendedBy.GUARANTORS and account.role is Role.GUARANTOR
            and account.party in agreement.guarantors)


def _may_propose(account: Account, agreement: Agreement) -> bool:
    return _may_answer(account, agreement) or (
        agreement.amended_by is AmendedBy.GUARANTORS and account.role is Role.SECRETARIAT)


@router.get("/agreements")
def agreements_page(request: Request, account: WebAccount, database: DatabaseDep,
                    amended: str = "", version: int | None = None,
                    reassessed: int | None = None, said: str = "") -> Response:
    done = None
    if amended and version is not None and reassessed is not None:
        done = (f"Amended: the terms are now at version {version}; {reassessed} "
                f"incident{'' if reassessed == 1 else 's'} assessed again.")
    elif said in _SAID:
        done = _SAID[said]
    return _page(request, account, database, done=done)


_SAID = {"proposed": "Proposed: it takes effect once every guarantor has consented.",
         "consented": "Consent recorded.", "objected": "Objection recorded: the proposal "
         "is closed and the terms stay as they were."}


def _done(request: Request, amended: amendments.Amended | None, said: str,
          code: str) -> Response:
    where = (f"amended={code}&version={amended.version}&reassessed={amended.reassessed}"
             if amended is not None else f"said={said}")
    return RedirectResponse(f"{root(request)}/agreements?{where}#{code}", status_code=303)


def _refused(request: Request, account: Account, database: DatabaseDep,
             exc: CeasefireError, values: dict[str, Any]) -> Response:
    """The page again with the refusal named (what was typed kept), or 403."""
    if isinstance(exc, Forbidden):
        return render(request, "forbidden.html", {"account": account, "reason": str(exc)},
                      status_code=403)
    return _page(request, account, database, values=values, error=str(exc),
                 error_field=exc.field if exc.field in _FIELDS + ("acts",) else None,
                 status_code=exc.http_status if exc.http_status != 404 else 422)


async def _change(request: Request, account: Account, database: DatabaseDep, code: str,
                  form: dict[str, Any], *, propose: bool) -> Response:
    values = {"agreement": code, **form}
    try:
        made = amendment_of(code, form["change"], effective=form["effective"],
                            reason=form["reason"], zone=form["zone"], name=form["name"],
                            pcodes=form["area"].replace(",", " ").split(),
                            acts=form["acts"], actor=form["actor"], status=form["status"])
        if propose:
            answer = await run_in_threadpool(proposals.propose, database, made,
                                             username=account.username)
            return _done(request, answer.amended, "proposed", code)
        result = await run_in_threadpool(amendments.amend, database, made,
                                         username=account.username)
    except (Forbidden, InvalidInput, NotFound, Conflict) as exc:
        return _refused(request, account, database, exc, values)
    return _done(request, result, "", code)


class ChangeForm:
    """The amend and propose forms' fields, as typed."""

    def __init__(self, change: FormText = "", effective: FormText = "", reason: FormText = "",
                 zone: FormText = "", name: FormText = "", area: FormText = "",
                 acts: Annotated[list[str] | None, Form()] = None, actor: FormText = "",
                 status: FormText = "") -> None:
        self.fields = {"change": change, "effective": effective, "reason": reason,
                       "zone": zone, "name": name, "area": area, "acts": acts or [],
                       "actor": actor, "status": status}


Change_ = Annotated[ChangeForm, Depends()]


@router.post("/agreements/{code}/amendments")
async def amend_page(request: Request, _: SessionFormChecked, account: WebAccount,
                     database: DatabaseDep, code: str, form: Change_) -> Response:
    """Amend the terms (the secretariat), then show them; a refusal keeps what was typed
    and names the field."""
    if account.role is not Role.SECRETARIAT:
        return render(request, "forbidden.html", {
            "account": account,
            "reason": "Only the secretariat amends an agreement."}, status_code=403)
    return await _change(request, account, database, code, form.fields, propose=False)


@router.post("/agreements/{code}/proposals")
async def propose_page(request: Request, _: SessionFormChecked, account: WebAccount,
                       database: DatabaseDep, code: str, form: Change_) -> Response:
    """Propose a change to terms the guarantors amend; the service says who may."""
    return await _change(request, account, database, code, form.fields, propose=True)


@router.post("/agreements/{code}/proposals/{proposal}/consent")
async def consent_page(request: Request, _: SessionFormChecked, account: WebAccount,
                       database: DatabaseDep, code: str, proposal: int) -> Response:
    """Consent for the officer's guarantor; the last consent adopts the amendment."""
    try:
        answer = await run_in_threadpool(proposals.consent, database, code, proposal,
                                         username=account.username)
    except (Forbidden, InvalidInput, NotFound, Conflict) as exc:
        return _refused(request, account, database, exc, {})
    return _done(request, answer.amended, "consented", code)


@router.post("/agreements/{code}/proposals/{proposal}/objection")
async def objection_page(request: Request, _: SessionFormChecked, account: WebAccount,
                         database: DatabaseDep, code: str, proposal: int,
                         reason: FormText = "") -> Response:
    """Object for the officer's guarantor, with a reason: the proposal closes."""
    try:
        await run_in_threadpool(proposals.object_to, database, code, proposal, reason,
                                username=account.username)
    except (Forbidden, InvalidInput, NotFound, Conflict) as exc:
        return _refused(request, account, database, exc, {"agreement": code})
    return _done(request, None, "objected", code)
