"""Checks on the free text the record keeps (names, titles)."""

from __future__ import annotations

import re

from ceasefire.errors import InvalidInput

NAME_MAX = 200  # the longest name the store keeps; longer ones are refused, not cut
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # control characters but tab and newline


def is_unicode(value: str) -> bool:
    """Whether the text is valid Unicode: a lone surrogate (U+D800-U+DFFF, which JSON's
    "\\ud800" can spell) is no character, and UTF-8, the databases and the ledger's JSON
    cannot hold it."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(value: str, *, field: str, id: str | None = None) -> str:  # noqa: A002
    """Free text the record keeps (a narrative): valid Unicode, without NUL."""
    if "\x00" in value:
        raise InvalidInput("contains a NUL character", field=field, id=id)
    if not is_unicode(value):
        raise InvalidInput("is not valid Unicode (a lone surrogate)", field=field, id=id)
    return value


REASON_MAX = 2000  # a reason kept with a decision in the ledger: as the API takes it


def check_reason(value: str, *, kept_with: str) -> str:
    """Why a decision was taken (a split, a merge): said, and at most REASON_MAX
    characters; returned without surrounding spaces."""
    reason = value.strip()
    if not reason:
        raise InvalidInput(f"say why: the reason is kept with the {kept_with} in the ledger",
                           field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"at most {REASON_MAX:,} characters; this one has "
                           f"{len(reason):,}", field="reason")
    return reason


def check_name(value: str, *, field: str, id: str | None = None,  # noqa: A002
               max_length: int | None = NAME_MAX) -> str:
    """A non-empty, printable name of at most ``max_length`` characters."""
    if not value.strip():
        raise InvalidInput("must not be empty", field=field, id=id)
    if not is_unicode(value):
        raise InvalidInput("is not valid Unicode (a lone surrogate)", field=field, id=id)
    if _CONTROL.search(value):
        raise InvalidInput("contains a control character", field=field, id=id)
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"is {len(value)} characters long; at most {max_length}",
                           field=field, id=id)
    return value
