"""A query parameter the route does not take is refused by name. FastAPI drops unknown
ones, so `?status=confirmed` on a route without a status filter answered every
incident, and the caller could not tell its filter had been ignored."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from ceasefire.errors import InvalidInput


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


_TAKEN: dict[int, frozenset[str]] = {}  # by the route's id: routes live as long as the app


def _taken(route: APIRoute) -> frozenset[str]:
    if id(route) not in _TAKEN:
        _TAKEN[id(route)] = frozenset(_query_names(route.dependant))
    return _TAKEN[id(route)]


def known_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    taken = _taken(route)
    for name in request.query_params:
        if name not in taken:
            offered = ", ".join(sorted(taken)) or "none"
            raise InvalidInput(f"this route takes no parameter {name!r} (it takes: {offered})",
                               field=name)
