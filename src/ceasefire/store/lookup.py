"""The two steps every repository repeats: fetch one row by a key, and insist it exists."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.errors import NotFound

T = TypeVar("T")


def one_by(session: Session, row_type: type[T], column: Any, value: object,
           *options: Any) -> T | None:
    return session.scalar(select(row_type).where(column == value).options(*options))


def required(found: T | None, message: str, *, field: str, key: str) -> T:
    if found is None:
        raise NotFound(message, field=field, id=key)
    return found
