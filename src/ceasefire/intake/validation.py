"""Turning pydantic's validation errors into ours, with the field path spelled out; and a
row's problems, every one, so a user can fix a row in one round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from ceasefire.errors import InvalidInput


def field_path(parts: tuple[Any, ...]) -> str:
    """("place", "lat") → "place.lat"; ("perpetrators", 0) → "perpetrators[0]"."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def problems(exc: ValidationError, **where: Any) -> list[InvalidInput]:
    """Every problem pydantic found, one per field, as our errors."""
    found: dict[str, InvalidInput] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if p not in _UNION_TAGS)
        message = error["msg"]
        if error["type"] == "json_invalid":
            message = f"not valid JSON ({error['ctx'].get('error', 'parse error')})"
        path = field_path(loc)
        if path not in found:  # a union's branches each fail the same field
            found[path] = InvalidInput(message, field=path or None, **where)
    return list(found.values())


def invalid(exc: ValidationError, **where: Any) -> InvalidInput:
    """The first problem pydantic found, as one of our errors."""
    return problems(exc, **where)[0]


class RowInvalid(InvalidInput):
    """Every problem of one row. It reads as the first, so an import that stops at the
    first bad row stops as it would on that problem alone."""

    def __init__(self, found: Sequence[InvalidInput],
                 names: Mapping[str, Sequence[str]] | None = None) -> None:
        first = found[0]
        super().__init__(first.message, source=first.source, line=first.line,
                         field=first.field, id=first.id)
        self.problems = tuple(found)
        # The actor names the row gives, by field ("perpetrators"): checked even though
        # the row is refused, so its unknown actors are named in the same round.
        self.names = dict(names or {})


def every(exc: InvalidInput) -> tuple[InvalidInput, ...]:
    return exc.problems if isinstance(exc, RowInvalid) else (exc,)


# pydantic names the branch of a union or function validator in the path; ours does not.
_UNION_TAGS = frozenset({"function-after", "function-before", "function-wrap"})
