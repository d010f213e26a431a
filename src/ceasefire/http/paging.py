"""Cursors for lists: newest event first, the (earliest, id) of the last item seen; or in
one of several orders, the key of the last item seen in it. Opaque to readers."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from uuid import UUID

from ceasefire.errors import InvalidInput


def cursor_of(earliest: datetime, uid: str) -> str:
    return base64.urlsafe_b64encode(f"{earliest.isoformat()}|{uid}".encode()).decode()


def after(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        earliest, uid = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(earliest), str(UUID(uid))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("not a cursor from a previous page", field="cursor") from None


# Cursors of a list in one of several orders: the order, how many rows came before the
# page (to say "51–100 of 1,512"), and the key of the last row seen in that order.
Key = datetime | int | str


def ordered_cursor(order: str, shown: int, key: tuple[Key, ...]) -> str:
    parts = [order, str(shown), *(k.isoformat() if isinstance(k, datetime) else str(k)
                                  for k in key)]
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode()


def ordered_after(cursor: str | None, order: str, kinds: tuple[type, ...],
                  ) -> tuple[int, tuple[Key, ...] | None]:
    """(rows before the page, the key to go on after) of a cursor of this order; (0, None)
    without one. A cursor of another order, or of no list, is refused naming it."""
    if cursor is None:
        return 0, None
    try:
        given, shown, *values = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        if given != order:
            raise InvalidInput("the cursor is of a list in another order: start again "
                               "from the first page", field="cursor")
        if len(values) != len(kinds) or not shown.isdigit():
            raise ValueError(cursor)
        return int(shown), tuple(_value(kind, text) for kind, text in zip(kinds, values,
                                                                          strict=True))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("not a cursor from a previous page", field="cursor") from None


def _value(kind: type, text: str) -> Key:
    if kind is datetime:
        found = datetime.fromisoformat(text)
        if found.tzinfo is None:
            raise ValueError(text)
        return found
    if kind is int:
        number = int(text)
        if not 0 <= number < 2 ** 31:  # what the columns of a key hold
            raise ValueError(text)
        return number
    return str(UUID(text))  # the one string a key holds: an incident's id
