"""Checks on the free text the record keeps (names, titles)."""

from __future__ import annotations

import re

from ceasefire.errors import InvalidInput

NAME_MAX = 200  # the longest name the store keeps; longer ones are refused, not cut
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # control characters but tab and newline


def check_name(value: str, *, field: str, id: str | None = None,  # noqa: A002
               max_length: int | None = NAME_MAX) -> str:
    """A non-empty, printable name of at most ``max_length`` characters."""
    if not value.strip():
        raise InvalidInput("must not be empty", field=field, id=id)
    if _CONTROL.search(value):
        raise InvalidInput("contains a control character", field=field, id=id)
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"is {len(value)} characters long; at most {max_length}",
                           field=field, id=id)
    return value
