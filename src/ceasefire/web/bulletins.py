"""Bulletin pages: the secretariat's list with its preview and publish form, and the
public pages (no login) of what was published, with downloads.

Everything public is rendered from the stored document, so a published bulletin never
changes when the record moves on; only published bulletins are stored, so nothing else
can be shown here.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ceasefire.domain.bulletin import day, days
from ceasefire.domain.parties import Account, Role
from ceasefire.domain.when import Period
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.http.deps import DatabaseDep
from ceasefire.outputs import bulletin_pages as pages
from ceasefire.outputs import bulletins as written
from ceasefire.services import bulletins
from ceasefire.store.db import Database
from ceasefire.web.csrf import SessionFormChecked
from ceasefire.web.deps import WebAccount, WebAccountOrNone
from ceasefire.web.templating import render, root

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]


def _period(first: str, last: str) -> Period:
    """One day (`last` empty) or the days from `first` to `last`."""
    return days(day(first, field="from"), day(last, field="to") if last.strip() else None)


def _last_field(last: str) -> str:
    return "to" if last.strip() else "from"


def _list_page(request: Request, account: Account, database: Database, *,
               values: dict[str, str], preview: dict[str, Any] | None = None,
               error: str | None = None, status_code: int = 200) -> Response:
    may_publish = account.role is Role.SECRETARIAT
    return render(request, "bulletins.html", {
        "account": account, "listing": bulletins.listing(database), **list_context(database),
        "may_publish": may_publish,
        "agreements": bulletins.agreements(database) if may_publish else {},
        "values": values, "error": error,
        "preview": pages.page_values(preview, site=root(request)) if preview else None},
        status_code=status_code)


def _period_title(x: bulletins.Published) -> str:
    return written.period_title(x.period_start, x.period_end)


def list_context(database: Database) -> dict[str, Any]:
    """What _bulletin_list.html needs besides the list: titles, and agreements by name."""
    return {"period_title": _period_title, "agreement_titles": bulletins.agreements(database)}


@router.get("/bulletins")
def secretariat_list(request: Request, account: WebAccount, database: DatabaseDep,
                     first: Annotated[str, Query(alias="from")] = "",
                     last: Annotated[str, Query(alias="to")] = "",
                     agreement: str = "") -> Response:
    """Published bulletins; for the secretariat, a form and the preview it asks for."""
    values = {"from": first, "to": last, "agreement": agreement}
    if account.role is not Role.SECRETARIAT or not first:
        return _list_page(request, account, database, values=values)
    try:
        issued = bulletins.issue(database, _period(first, last), agreement=agreement or None,
                                 last_field=_last_field(last))
    except (InvalidInput, Conflict) as exc:  # a bad period, or a record that does not hold
        return _list_page(request, account, database, values=values,
                          error=str(exc), status_code=exc.http_status)
    return _list_page(request, account, database, values=values, preview=issued.document())


@router.post("/bulletins")
def publish(request: Request, _: SessionFormChecked, account: WebAccount,
            database: DatabaseDep,
            first: Annotated[str, Form(alias="from")] = "",
            last: Annotated[str, Form(alias="to")] = "", agreement: FormText = "") -> Response:
    """Publish the bulletin the preview showed (counted again now), then show it."""
    values = {"from": first, "to": last, "agreement": agreement}
    try:
        done = bulletins.publish(database, _period(first, last), agreement=agreement or None,
                                 account=account, last_field=_last_field(last))
    except Forbidden as exc:
        return render(request, "forbidden.html", {"account": account, "reason": str(exc)},
                      status_code=403)
    except (InvalidInput, Conflict) as exc:
        return _list_page(request, account, database, values=values,
                          error=str(exc), status_code=exc.http_status)
    return RedirectResponse(f"{root(request)}/public/bulletins/{done.id}", status_code=303)


# -- public --------------------------------------------------------------------------------

@router.get("/public/bulletins")
def public_list(request: Request, account: WebAccountOrNone, database: DatabaseDep,
                ) -> Response:
    return render(request, "public_bulletins.html",
                  {"account": account, "listing": bulletins.listing(database),
                   **list_context(database)})


def _shown(request: Request, database: Database, bulletin_id: int,
           account: Account | None = None) -> bulletins.Shown | Response:
    try:
        return bulletins.shown(database, bulletin_id)
    except NotFound as exc:
        return render(request, "not_found.html", {"account": account, "reason": str(exc)},
                      status_code=404)


@router.get("/public/bulletins/{bulletin_id:int}")
def public_page(request: Request, account: WebAccountOrNone, database: DatabaseDep,
                bulletin_id: int) -> Response:
    found = _shown(request, database, bulletin_id, account)
    if isinstance(found, Response):
        return found
    return render(request, "bulletin.html", {
        "account": account, "shown": found,
        **pages.page_values(found.document, _publication(found), root(request))})


@router.get("/public/bulletins/bulletin.css")
def public_stylesheet() -> Response:
    """The bulletin's own style sheet, which the page links (the CSP forbids it inline)."""
    return Response(pages.stylesheet(), media_type="text/css",
                    headers={"cache-control": "public, max-age=3600"})


def _publication(shown: bulletins.Shown) -> pages.Publication:
    return pages.Publication(shown.bulletin.id, shown.bulletin.published_at)


def _site(request: Request) -> str:
    """This site's address, for the links in a file that leaves it."""
    return str(request.base_url).rstrip("/")


# A PDF takes about a second to lay out; a published bulletin never changes, so the
# last few are kept, keyed by their document's digest and the site their links name.
_PDFS: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_PDFS_KEPT = 16


def _pdf(shown: bulletins.Shown, site: str) -> bytes:
    from ceasefire.outputs.pdf import as_pdf

    key = (shown.bulletin.document_sha256, site)
    if key not in _PDFS:
        _PDFS[key] = as_pdf(shown.document, _publication(shown), site)
        while len(_PDFS) > _PDFS_KEPT:
            _PDFS.popitem(last=False)
    return _PDFS[key]


def _download(request: Request, database: Database, bulletin_id: int, kind: str) -> Response:
    found = _shown(request, database, bulletin_id)
    if isinstance(found, Response):
        return found
    if kind == "pdf":
        body, media = _pdf(found, _site(request)), "application/pdf"
    elif kind == "json":  # byte for byte as published: its SHA-256 is in the ledger
        body, media = found.text.encode("utf-8"), "application/json"
    else:
        body, media = pages.as_markdown(found.document, _publication(found),
                                        _site(request)).encode(), "text/markdown"
    return Response(body, media_type=media, headers={
        "content-disposition": f'inline; filename="bulletin-{bulletin_id}.{kind}"'})


@router.get("/public/bulletins/{bulletin_id:int}.pdf")
def public_pdf(request: Request, database: DatabaseDep, bulletin_id: int) -> Response:
    return _download(request, database, bulletin_id, "pdf")


@router.get("/public/bulletins/{bulletin_id:int}.json")
def public_json(request: Request, database: DatabaseDep, bulletin_id: int) -> Response:
    return _download(request, database, bulletin_id, "json")


@router.get("/public/bulletins/{bulletin_id:int}.md")
def public_markdown(request: Request, database: DatabaseDep, bulletin_id: int) -> Response:
    return _download(request, database, bulletin_id, "md")
