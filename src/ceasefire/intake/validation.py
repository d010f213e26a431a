"""Turning pydantic's validation errors into ours, with the field path spelled out."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ceasefire.errors import InvalidInput


def field_path(parts: tuple[Any, ...]) -> str:
    """("place", "lat") → "place.lat"; ("perpetrators", 0) → "perpetrators[0]"."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def invalid(exc: ValidationError, **where: Any) -> InvalidInput:
    """The first problem pydantic found, as one of our errors."""
    first = exc.errors(include_url=False)[0]
    loc = tuple(p for p in first["loc"] if p not in _UNION_TAGS)
    message = first["msg"]
    if first["type"] == "json_invalid":
        message = f"not valid JSON ({first['ctx'].get('error', 'parse error')})"
    return InvalidInput(message, field=field_path(loc) or None, **where)


# pydantic names the branch of a union or function validator in the path; ours does not.
_UNION_TAGS = frozenset({"function-after", "function-before", "function-wrap"})
