"""The pages of the record for those logged in: the dashboard, the incident list, an
incident in full with the verdict form (its split and merge forms: incident_edits), and
the verdict queue of the officer's party."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from ceasefire.domain import words
from ceasefire.domain.agreement import Position
from ceasefire.domain.parties import Account, Role
from ceasefire.errors import CeasefireError, Forbidden, InvalidInput
from ceasefire.http import paging
from ceasefire.http.deps import DatabaseDep, SessionDep
from ceasefire.outputs.charts import STATUS_COLOURS, STATUS_ORDER, day_chart, segments
from ceasefire.services import incident_edits, overview, reference, verification
from ceasefire.services.incident_record import incident_record
from ceasefire.services.overview import Selection
from ceasefire.web.csrf import SessionFormChecked
from ceasefire.web.deps import WebAccount
from ceasefire.web.selection import choices, order_from, selection_from
from ceasefire.web.templating import render, root

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
DEFAULT_DAYS = 30


def problem(request: Request, account: Account | None, exc: CeasefireError) -> Response:
    """A refused request, said in words on a page: what is wrong and where."""
    return render(request, "problem.html", {"account": account, "error": exc},
                  status_code=exc.http_status)


def with_period(session: Session, selection: Selection) -> Selection:
    """No days chosen: the last 30 days of the record (up to its latest incident)."""
    if selection.since is not None or selection.until is not None:
        return selection
    latest = overview.latest_start(session)
    last = latest.date() if latest else datetime.now(UTC).date()
    until = last + timedelta(days=1)
    return Selection(**{**selection.__dict__, "since": until - timedelta(days=DEFAULT_DAYS),
                        "until": until})


def _context(account: Account, session: Session, selection: Selection) -> dict[str, object]:
    return {"account": account, "form": choices(session, selection),
            "colours": STATUS_COLOURS, "statuses": STATUS_ORDER}


@router.get("/dashboard")
def dashboard(request: Request, account: WebAccount, session: SessionDep) -> Response:
    try:
        selection = with_period(session, selection_from(request.query_params))
        board = overview.dashboard(session, selection, now=datetime.now(UTC))
        context = _context(account, session, selection)
    except CeasefireError as exc:
        return problem(request, account, exc)
    start = selection.since or min((d for d in board.by_day.rows if isinstance(d, date)),
                                   default=date.today())
    end = selection.until or max((d for d in board.by_day.rows if isinstance(d, date)),
                                 default=start) + timedelta(days=1)
    return render(request, "dashboard.html", {
        **context, "board": board, "chart": day_chart(board.by_day.rows, start, end),
        "segments": segments, "start": start, "last": end - timedelta(days=1)})


@router.get("/incidents")
def incident_list(request: Request, account: WebAccount, session: SessionDep) -> Response:
    return listing(request, account, session, public=False)


def listing(request: Request, account: Account | None, session: Session, *,
            public: bool) -> Response:
    try:
        params = request.query_params
        selection = selection_from(params, statuses=("confirmed",) if public else None)
        offered = overview.PUBLIC_ORDERS if public else tuple(overview.ORDERS)
        order = order_from(params, offered)
        now = datetime.now(UTC)
        found = overview.scope(session, selection, now=now, checked=public)
        shown_before, after = paging.ordered_after(params.get("cursor") or None, order,
                                                   overview.ORDERS[order])
        rows = overview.page(session, found, limit=PAGE_SIZE + 1, order=order, after=after)
        total = overview.count(session, found)
        form = choices(session, selection, orders=offered, order=order)
    except CeasefireError as exc:
        return problem(request, account, exc)
    shown = rows[:PAGE_SIZE]
    more = paging.ordered_cursor(order, shown_before + len(shown), shown[-1].key) \
        if len(rows) > PAGE_SIZE else None
    parties = {} if public else overview.reporting_parties(session, [r.uid for r in shown])
    return render(request, "incidents.html", {
        "account": account, "form": form, "colours": STATUS_COLOURS,
        "statuses": STATUS_ORDER, "rows": shown, "parties": parties, "next_cursor": more,
        "public": public, "first_page": after is None, "total": total,
        "first": shown_before + 1, "search": overview.search(selection.q), "now": now})


# --- one incident ----------------------------------------------------------------------------

def _may_cast(account: Account, views: list[verification.StandingView]) -> list[str]:
    """The agreements under which this account may cast its party's verdict here."""
    if account.role is not Role.GUARANTOR:
        return []
    return [v.agreement for v in views if v.covered and account.party in v.latest]


@router.get("/incidents/{uid}")
def incident_page(request: Request, uid: str, account: WebAccount, database: DatabaseDep,
                  ) -> Response:
    return _incident(request, account, database, uid)


def _incident(request: Request, account: Account, database: DatabaseDep, uid: str, *,
              error: CeasefireError | None = None, status_code: int = 200,
              given: dict[str, str] | None = None,
              edit: dict[str, object] | None = None) -> Response:
    try:
        found = incident_record(database, uid)
    except CeasefireError as exc:
        return problem(request, account, exc)
    with database.session() as session:
        actors = sorted(reference.actors(session), key=lambda a: a.name)
    may_edit = account.role.may_curate_incidents
    return render(request, "incident.html", {
        "account": account, "d": found, "colours": STATUS_COLOURS,
        "castable": _may_cast(account, found.standings), "positions": list(Position),
        "actors": actors, "error": error, "given": given,
        "cast": request.query_params.get("cast") == "1",
        "may_edit": may_edit, "edit": edit or {},
        "nearby": incident_edits.nearby(database, found.incident.summary) if may_edit else [],
        "edited": _edited(database, request.query_params.get("entry", ""), uid)},
        status_code=status_code)


def incident_again(request: Request, account: Account, database: DatabaseDep, uid: str,
                   given: Mapping[str, object], error: CeasefireError) -> Response:
    """The incident's page with a split or merge form as it was sent, and its fault."""
    return _incident(request, account, database, uid, edit={**given, "error": error},
                     status_code=error.http_status)


def _edited(database: DatabaseDep, entry: str, uid: str) -> incident_edits.Edit | None:
    """After a split or merge (``?entry=``): what its ledger entry records."""
    if not entry.isdigit() or len(entry) > 12:
        return None
    return incident_edits.edit_recorded(database, int(entry), uid)


FormText = Annotated[str, Form()]


@router.post("/incidents/{uid}/verdict")
def cast_verdict(request: Request, uid: str, _: SessionFormChecked, account: WebAccount,
                 database: DatabaseDep, agreement: FormText = "", position: FormText = "",
                 version: FormText = "", attributed_to: FormText = "",
                 comment: FormText = "") -> Response:
    try:
        if account.role is not Role.GUARANTOR:
            raise Forbidden(f"{words.an_account(account.role)} cannot cast verdicts")
        chosen = _position(position)
        seen = _version(version)
        verification.cast(database, None, uid, username=account.username, position=chosen,
                          seen_version=seen, attributed_to=attributed_to or None,
                          comment=comment.strip(), agreement=agreement or None)
    except Forbidden as exc:
        return problem(request, account, exc)
    except CeasefireError as exc:  # the form again, as the officer filled it
        given = {"agreement": agreement, "position": position,
                 "attributed_to": attributed_to, "comment": comment}
        return _incident(request, account, database, uid, error=exc,
                         status_code=exc.http_status, given=given)
    return RedirectResponse(f"{root(request)}/incidents/{uid}?cast=1#standing",
                            status_code=303)


def _position(text: str) -> Position:
    try:
        return Position(text)
    except ValueError:
        raise CeasefireError(f"choose a position: {', '.join(p.value for p in Position)}",
                             field="position") from None


def _version(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CeasefireError("the form lost the version of the standing you saw: reload "
                             "the page", field="version") from None


QUEUE_PAGE = 100


@router.get("/queue")
def queue_page(request: Request, account: WebAccount, database: DatabaseDep) -> Response:
    try:
        page = _page_number(request.query_params.get("page", "1"))
        if account.role is not Role.GUARANTOR:  # its party casts no verdict: the guarantors'
            return render(request, "queue.html", {
                "account": account, "counted": verification.QUEUE_COUNTED,
                "waited_on": verification.guarantors_waited_on(database)})
        items, total = verification.awaiting_with_count(
            database, account.party, limit=QUEUE_PAGE, skip=(page - 1) * QUEUE_PAGE)
    except CeasefireError as exc:
        return problem(request, account, exc)
    with database.session() as session:
        rows = overview.summaries(session, [a.incident for a in items])
    return render(request, "queue.html", {
        "account": account, "party": account.party, "items": items, "rows": rows,
        "total": total, "counted": verification.QUEUE_COUNTED, "page": page,
        "first": (page - 1) * QUEUE_PAGE + 1, "more": page * QUEUE_PAGE < total,
        "now": datetime.now(UTC), "waited_on": None})


def _page_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise InvalidInput(f"{text!r} is not a page number (1 to 1000)", field="page", id=text)
    return int(text)
