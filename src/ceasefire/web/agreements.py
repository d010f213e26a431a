"""The agreements' terms as they stand and how they came to be: every zone with its
period, every actor's status over time, every amendment with who made it and why. The
secretariat amends them here too; everyone logged in reads them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ceasefire.domain.actors import ActorStatus
from ceasefire.domain.amendment import Change, amendment_of
from ceasefire.domain.parties import Account, Role
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.http.deps import DatabaseDep
from ceasefire.services import amendments
from ceasefire.services.reference import actors as all_actors
from ceasefire.services.reference import all_agreements
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
    with database.session() as session:
        agreements = all_agreements(session)
        actors = all_actors(session)
    histories = {a.code: amendments.history(database, a.code)[1] for a in agreements}
    return render(request, "agreements.html", {
        "account": account, "agreements": agreements, "histories": histories,
        "may_amend": account.role is Role.SECRETARIAT, "changes": list(Change),
        "statuses": list(ActorStatus), "acts": list(ViolationType),
        "actors": sorted(actors, key=lambda a: a.name.casefold()),
        "values": values or {"acts": []}, "error": error, "error_field": error_field,
        "done": done}, status_code=status_code)


@router.get("/agreements")
def agreements_page(request: Request, account: WebAccount, database: DatabaseDep,
                    amended: str = "", version: int | None = None,
                    reassessed: int | None = None) -> Response:
    done = None
    if amended and version is not None and reassessed is not None:
        done = (f"Amended: the terms are now at version {version}; {reassessed} "
                f"incident{'' if reassessed == 1 else 's'} assessed again.")
    return _page(request, account, database, done=done)


@router.post("/agreements/{code}/amendments")
async def amend_page(request: Request, _: SessionFormChecked, account: WebAccount,
                     database: DatabaseDep, code: str, change: FormText = "",
                     effective: FormText = "", reason: FormText = "", zone: FormText = "",
                     name: FormText = "", area: FormText = "",
                     acts: Annotated[list[str] | None, Form()] = None, actor: FormText = "",
                     status: FormText = "") -> Response:
    """Amend the terms (the secretariat), then show them; a refusal keeps what was typed
    and names the field."""
    values = {"agreement": code, "change": change, "effective": effective, "reason": reason,
              "zone": zone, "name": name, "area": area, "acts": acts or [], "actor": actor,
              "status": status}
    if account.role is not Role.SECRETARIAT:
        return render(request, "forbidden.html", {
            "account": account,
            "reason": "Only the secretariat amends an agreement."}, status_code=403)
    try:
        made = amendment_of(code, change, effective=effective, reason=reason, zone=zone,
                            name=name, pcodes=area.replace(",", " ").split(),
                            acts=acts or (), actor=actor, status=status)
        result = await run_in_threadpool(amendments.amend, database, made,
                                         username=account.username)
    except Forbidden as exc:
        return render(request, "forbidden.html", {"account": account, "reason": str(exc)},
                      status_code=403)
    except (InvalidInput, NotFound, Conflict) as exc:
        return _page(request, account, database, values=values, error=str(exc),
                     error_field=exc.field if exc.field in _FIELDS + ("acts",) else None,
                     status_code=exc.http_status if exc.http_status != 404 else 422)
    return RedirectResponse(f"{root(request)}/agreements?amended={result.agreement}"
                            f"&version={result.version}&reassessed={result.reassessed}"
                            f"#{result.agreement}", status_code=303)
