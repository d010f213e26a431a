"""Cursors for lists newest event first: the (earliest, id) of the last item seen, opaque."""

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
