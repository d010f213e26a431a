"""The home page: for an account, what awaits it and the newest incidents; for anyone
else, the public face of the mechanism (its published bulletins and the map of
confirmed incidents), not a login form."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from ceasefire.domain.parties import Role
from ceasefire.errors import CeasefireError
from ceasefire.http.deps import DatabaseDep
from ceasefire.services import bulletins, overview, reference, verification
from ceasefire.services.overview import Selection
from ceasefire.services.verification import Awaiting
from ceasefire.web.bulletins import list_context
from ceasefire.web.cookies import SESSION_COOKIE
from ceasefire.web.deps import LoginRequired, WebAccountOrNone
from ceasefire.web.templating import render

router = APIRouter(include_in_schema=False)
NEWEST = 10
PUBLISHED = 5


@router.get("/")
def home(request: Request, account: WebAccountOrNone, database: DatabaseDep) -> Response:
    if account is None and request.cookies.get(SESSION_COOKIE):
        raise LoginRequired()  # a session that ended: log in again, not the public page
    if account is None:
        return render(request, "public_home.html", {
            "listing": bulletins.listing(database)[:PUBLISHED], **list_context(database)})
    now = datetime.now(UTC)
    waiting: list[Awaiting] = []
    total = 0
    if account.role is Role.GUARANTOR:
        waiting, total = verification.awaiting_with_count(database, account.party, limit=1)
    with database.session() as session:
        party = reference.party(session, account.party)
        try:
            newest = overview.page(session, overview.scope(session, Selection(), now=now),
                                   limit=NEWEST)
        except CeasefireError:  # a record without an agreement yet has no incidents
            newest = []
    return render(request, "home.html", {
        "account": account, "party": party, "waiting": total,
        "next_deadline": waiting[0].deadline if waiting else None, "now": now,
        "newest": newest})
