"""Jinja2 templates shipped in the package, and the one way pages render them."""

from __future__ import annotations

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
    select_autoescape,
)
from starlette.responses import Response

from ceasefire.geo.admin import AdminArea, syria
from ceasefire.web import csrf
from ceasefire.web.cookies import SESSION_COOKIE


def area(pcode: str | None) -> AdminArea | None:
    """The admin area of a P-code, for its English and Arabic names; None if unknown."""
    areas = syria()
    return areas.area(pcode) if pcode and pcode in areas else None


def make_templates() -> Jinja2Templates:
    # "outputs/…": the bulletin's body, shared with the standalone file and the PDF.
    loader = ChoiceLoader([PackageLoader("ceasefire.web", "templates"), PrefixLoader(
        {"outputs": PackageLoader("ceasefire.outputs", "templates")})])
    env = Environment(loader=loader,
                      autoescape=select_autoescape(default=True), undefined=StrictUndefined)
    env.globals["area"] = area
    return Jinja2Templates(env=env)


def root(request: Request) -> str:
    """The path the app is mounted under ("" at the top), for links and redirects."""
    return request.scope.get("root_path", "")


def render(request: Request, name: str, context: Mapping[str, Any] | None = None, *,
           status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    values: dict[str, Any] = {"root": root(request), "account": None, **(context or {})}
    session = request.cookies.get(SESSION_COOKIE)
    # Pages with a logged-in account carry the logout form, and so the session's token.
    values["session_csrf"] = csrf.token_for(session) if values["account"] and session else ""
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, name, values, status_code=status_code,
                                          headers=dict(headers or {}))
    # Pages show who is logged in and, later, the record: no cache may keep them.
    response.headers["cache-control"] = "no-store"
    return response
