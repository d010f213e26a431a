"""Jinja2 templates shipped in the package, and the one way pages render them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from starlette.responses import Response

from ceasefire.domain import words
from ceasefire.errors import CeasefireError
from ceasefire.geo.admin import AdminArea, syria
from ceasefire.services import reference, witnessing
from ceasefire.web import csrf
from ceasefire.web.cookies import SESSION_COOKIE


def area(pcode: str | None) -> AdminArea | None:
    """The admin area of a P-code, for its English and Arabic names; None if unknown."""
    areas = syria()
    return areas.area(pcode) if pcode and pcode in areas else None


# The selection form's labels, for refusals that name a field of a page's query.
FIELD_LABELS = {"agreement": "Agreement", "from": "From", "to": "To (inclusive)",
                "adm": "Governorate", "violation": "Violation", "party": "Reported by",
                "status": "Status", "page": "Page", "cursor": "Page", "q": "Search",
                "sort": "Order"}
_PCODE = re.compile(r"\bSY\d\d(?:\d\d){0,2}\b")
_TOKEN = re.compile(r"(?<![\w-])[a-z0-9]+(?:-[a-z0-9]+)*(?![\w-])")
_PARTY = re.compile(r"\b[A-Z]{2,5}\b")  # parties' codes: RU, TR, IR, UN


@pass_context
def readable(context: Context, text: str) -> str:
    """Text written with codes (P-codes, actor and agreement codes), with names instead:
    the stored text keeps its codes, the reader sees "Khan Shaykhun", not "SY070201"."""
    names: reference.Names = context["names"]

    def place(m: re.Match[str]) -> str:
        found = area(m.group(0))
        return found.name if found else m.group(0)

    text = _PCODE.sub(place, text)
    text = _PARTY.sub(lambda m: names.parties.get(m.group(0), m.group(0)), text)
    known = {**names.actors, **names.agreements}
    return _TOKEN.sub(lambda m: known.get(m.group(0), m.group(0)), text)


def make_templates() -> Jinja2Templates:
    # "outputs/…": the bulletin's body, shared with the standalone file and the PDF.
    loader = ChoiceLoader([PackageLoader("ceasefire.web", "templates"), PrefixLoader(
        {"outputs": PackageLoader("ceasefire.outputs", "templates")})])
    env = Environment(loader=loader,
                      autoescape=select_autoescape(default=True), undefined=StrictUndefined)
    env.globals["area"] = area
    # Readers see words, not codes (domain.words).
    env.filters.update(status=words.status_words, violation=words.violation_words,
                       sentence=words.sentence, readable=readable,
                       rule=words.rule_words,
                       position=words.position_words, role=words.role_words,
                       article=words.with_article, moment=words.moment,
                       order=words.order_words, deadline=words.deadline_words)
    env.globals["count"] = words.count
    env.globals["field_label"] = lambda field: FIELD_LABELS.get(field, field)
    return Jinja2Templates(env=env)


def root(request: Request) -> str:
    """The path the app is mounted under ("" at the top), for links and redirects."""
    return request.scope.get("root_path", "")


def _names(request: Request) -> reference.Names:
    """The names of the codes a page shows; none when the database cannot say (the page
    telling that it is unavailable must still render)."""
    try:
        with request.app.state.database.session() as session:
            return reference.names(session)
    except CeasefireError:
        return reference.Names({}, {}, {})


def _witnessing(request: Request) -> witnessing.Standing | None:
    try:
        return witnessing.standing(request.app.state.database)
    except CeasefireError:  # a page about a database that is down still renders
        return None


def render(request: Request, name: str, context: Mapping[str, Any] | None = None, *,
           status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    values: dict[str, Any] = {"root": root(request), "account": None, **(context or {})}
    if "names" not in values:
        values["names"] = _names(request)
    values["witnessing"] = _witnessing(request)
    session = request.cookies.get(SESSION_COOKIE)
    # Pages with a logged-in account carry the logout form, and so the session's token.
    values["session_csrf"] = csrf.token_for(session) if values["account"] and session else ""
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, name, values, status_code=status_code,
                                          headers=dict(headers or {}))
    # Pages show who is logged in and, later, the record: no cache may keep them.
    response.headers["cache-control"] = "no-store"
    return response
